"""acd.supervision: when a supervisor may listen to an agent's call, and what a forced pause or
log-out feeds the ACD (the same rules the core applies, never more)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from acd import events as ev
from acd.agents import AgentSpec, AgentView
from acd.core import AcdCore
from acd.rules import AGENT_STATES, AcdError
from acd.settings import AcdSettings
from acd.supervision import SPY_MODES, SUPERVISOR_PAUSE, Refusal, force_event, spy_refusal

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def view(state: str, reason: str | None = None) -> AgentView:
    return AgentView(
        "001", "1001", state, reason, True, "c1" if state in ("ringing", "talking") else None, None
    )


@pytest.mark.parametrize("mode", SPY_MODES)
def test_a_talking_agent_may_be_listened_to_from_a_registered_phone(mode):
    assert spy_refusal(view("talking"), mode, "1101", True) is None


@pytest.mark.parametrize("state", [s for s in AGENT_STATES if s != "talking"])
def test_an_agent_not_talking_has_no_call_to_listen_to(state):
    assert spy_refusal(view(state), "listen", "1101", True) == Refusal("not_talking", state)


def test_the_phone_must_be_configured_then_registered():
    assert spy_refusal(view("talking"), "listen", None, False) == Refusal("no_phone")
    assert spy_refusal(view("ready"), "listen", None, False) == Refusal("no_phone")  # said first: it lasts
    assert spy_refusal(view("talking"), "barge", "1101", False) == Refusal("phone_unregistered")


@pytest.mark.parametrize("mode", ["", "LISTEN", "spy", "listen\r\nAction: Command", "qES"])
def test_an_unknown_mode_is_refused_before_anything_else(mode):
    assert spy_refusal(view("talking"), mode, None, False) == Refusal("unknown_mode")


@pytest.mark.parametrize("state", ["ready", "wrap_up"])
def test_a_forced_pause_is_an_agent_pause_with_the_supervisor_reason(state):
    assert force_event(view(state), "pause") == ev.AgentPause("001", SUPERVISOR_PAUSE)


@pytest.mark.parametrize("state", ["ready", "wrap_up", "paused"])
def test_a_forced_logout_is_an_agent_logout(state):
    assert force_event(view(state, "break" if state == "paused" else None), "logout") == ev.AgentLogout("001")


@pytest.mark.parametrize(
    "state, action",
    [
        ("talking", "pause"),
        ("talking", "logout"),
        ("ringing", "pause"),
        ("ringing", "logout"),
        ("logged_out", "pause"),
        ("logged_out", "logout"),
        ("paused", "pause"),  # keeps the agent's own reason
    ],
)
def test_a_force_the_state_does_not_allow_is_refused(state, action):
    assert force_event(view(state), action) == Refusal("state", state)


@pytest.mark.parametrize("action", ["", "resume", "login_toggle", "PAUSE"])
def test_an_unknown_action_is_refused(action):
    assert force_event(view("ready"), action) == Refusal("unknown_action")


def test_what_force_event_allows_the_core_accepts_and_what_it_refuses_the_core_would_too():
    """Every state reached in a real core: an allowed event is accepted; a refused one (but the
    paused agent's second pause, refused on purpose) would raise AcdError."""
    for action in ("pause", "logout"):
        for state, core in _cores_in_every_state().items():
            found = force_event(core.agent("001"), action)
            if isinstance(found, Refusal):
                if (state, action) != ("paused", "pause"):
                    with pytest.raises(AcdError):
                        core.handle(
                            ev.AgentPause("001", SUPERVISOR_PAUSE)
                            if action == "pause"
                            else ev.AgentLogout("001"),
                            T0,
                        )
                continue
            core.handle(found, T0)
            expected = "paused" if action == "pause" else "logged_out"
            assert core.agent("001").state == expected


def _cores_in_every_state() -> dict[str, AcdCore]:
    def fresh() -> AcdCore:
        core = AcdCore([AgentSpec("001", "1001")], AcdSettings(auto_login=True))
        core.handle(ev.AgentRegistered("001", True), T0)  # auto-login: ready
        return core

    cores = {"ready": fresh()}
    cores["logged_out"] = fresh()
    cores["logged_out"].handle(ev.AgentLogout("001"), T0)
    cores["paused"] = fresh()
    cores["paused"].handle(ev.AgentPause("001", "break"), T0)
    cores["ringing"] = fresh()
    cores["ringing"].handle(ev.CallQueued("c1", "fault", 0, T0), T0)
    cores["talking"] = fresh()
    cores["talking"].handle(ev.CallQueued("c1", "fault", 0, T0), T0)
    cores["talking"].handle(ev.OfferAnswered("c1", "001"), T0)
    cores["wrap_up"] = fresh()
    cores["wrap_up"].handle(ev.CallQueued("c1", "fault", 0, T0), T0)
    cores["wrap_up"].handle(ev.OfferAnswered("c1", "001"), T0)
    cores["wrap_up"].handle(ev.CallEnded("c1"), T0)
    assert {s: c.agent("001").state for s, c in cores.items()} == {s: s for s in cores}
    return cores
