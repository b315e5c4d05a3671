"""ACD core examples: agent states, illegal transitions, snapshot / restore, queries."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from acd.agents import AgentSpec
from acd.commands import CancelTimer, Offer, StartTimer
from acd.core import AcdCore
from acd.events import (
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentRegistered,
    AgentResume,
    CallEnded,
    CallLeft,
    CallQueued,
    OfferAnswered,
    OfferNoAnswer,
    TimerFired,
    WrapUpDone,
)
from acd.rules import AGENT_RULES, AcdError
from acd.settings import AcdSettings

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def make_core(*ids: str, **settings) -> AcdCore:
    return AcdCore([AgentSpec(i, f"8{i}") for i in ids], AcdSettings(**settings))


def state(core: AcdCore):
    return core.snapshot(), dict(core.timers.active), core.waiting_count(), core.agents_by_state()


@pytest.mark.parametrize(
    "event, state_name, match",
    [
        (AgentLogin("1001"), "talking", r"agent 1001 is talking: AgentLogin\(agent_id='1001'\)"),
        (AgentResume("1001"), "talking", r"agent 1001 is talking: AgentResume"),
        (AgentLogout("1001"), "talking", r"agent 1001 is talking: AgentLogout"),
        (WrapUpDone("1001"), "talking", r"agent 1001 is talking: WrapUpDone"),
        (CallLeft("c1"), "talking", r"call c1 is talking: CallLeft"),
        (OfferNoAnswer("c1", "1001"), "talking", r"call c1 is talking: OfferNoAnswer"),
        (CallQueued("c1", "fault", 0, T0), "talking", r"call c1 is talking: CallQueued"),
        (CallEnded("zz"), "talking", r"call zz is unknown: CallEnded"),
        (AgentLogin("9999"), "talking", r"agent 9999 is not configured: AgentLogin"),
    ],
)
def test_illegal_events_name_state_and_event_and_change_nothing(event, state_name, match):
    core = make_core("1001")
    core.handle(AgentRegistered("1001", True), T0)
    core.handle(AgentLogin("1001"), T0)
    core.handle(CallQueued("c1", "fault", 0, at(1)), at(1))
    core.handle(OfferAnswered("c1", "1001"), at(2))
    assert core.agent("1001").state == state_name
    before = state(core)
    with pytest.raises(AcdError, match=match):
        core.handle(event, at(3))
    assert state(core) == before


def test_illegal_agent_events_in_each_state():
    core = make_core("1001")
    with pytest.raises(AcdError, match=r"agent 1001 is logged_out: AgentResume"):
        core.handle(AgentResume("1001"), T0)
    core.handle(AgentLogin("1001"), T0)
    core.handle(AgentPause("1001", "lunch"), at(1))
    with pytest.raises(AcdError, match=r"agent 1001 is paused\(lunch\): AgentLogin"):
        core.handle(AgentLogin("1001"), at(2))
    with pytest.raises(AcdError, match=r"agent 1001 is paused\(lunch\): WrapUpDone"):
        core.handle(WrapUpDone("1001"), at(2))


def test_offer_result_for_the_wrong_agent_is_refused():
    core = make_core("1001", "1002")
    for a in ("1001", "1002"):
        core.handle(AgentRegistered(a, True), T0)
        core.handle(AgentLogin(a), T0)
    core.handle(CallQueued("c1", "fault", 0, at(1)), at(1))
    with pytest.raises(AcdError, match="call c1 is ringing agent 1001: OfferAnswered"):
        core.handle(OfferAnswered("c1", "1002"), at(2))


def test_every_agent_state_has_a_rule_and_every_rule_a_known_state():
    states = {"logged_out", "ready", "ringing", "talking", "wrap_up", "paused"}
    assert {s for s, _ in AGENT_RULES} == states
    assert set(AGENT_RULES.values()) <= states | {"same"}


def test_bad_inputs_are_refused_with_clear_errors():
    core = make_core("1001")
    with pytest.raises(ValueError, match="aware"):
        core.handle(AgentLogin("1001"), datetime(2026, 1, 1))
    with pytest.raises(AcdError, match="unknown event 'x'"):
        core.handle("x", T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ring_timeout_s=0"):
        AcdSettings(ring_timeout_s=0)
    with pytest.raises(ValueError, match="configured twice"):
        AcdCore([AgentSpec("1", "81"), AgentSpec("1", "82")])
    with pytest.raises(AcdError, match="unknown reason"):
        core.handle(CallQueued("c", "fault", 0, T0), T0)
        core.handle(CallLeft("c", "bored"), T0)  # type: ignore[arg-type]


def test_pause_during_wrap_up_cancels_the_wrap_up_timer():
    core = make_core("1001")
    core.handle(AgentRegistered("1001", True), T0)
    core.handle(AgentLogin("1001"), T0)
    core.handle(CallQueued("c1", "fault", 0, T0), T0)
    core.handle(OfferAnswered("c1", "1001"), at(1))
    (wrap,) = [c for c in core.handle(CallEnded("c1"), at(30)) if isinstance(c, StartTimer)]
    out = core.handle(AgentPause("1001", "meeting"), at(31))
    assert CancelTimer(wrap.key) in out
    assert core.handle(TimerFired(wrap.key), wrap.at) == []
    assert core.agent("1001").reason == "meeting"


def test_snapshot_restore_keeps_logged_in_and_paused_agents():
    core = make_core("1001", "1002", "1003", "1004")
    for a in ("1001", "1002", "1003"):
        core.handle(AgentRegistered(a, True), T0)
        core.handle(AgentLogin(a), at(int(a) - 1000))
    core.handle(AgentPause("1002", "training"), at(5))
    core.handle(CallQueued("c1", "fault", 0, at(6)), at(6))  # 1001 rings
    data = core.snapshot()
    assert data["agents"]["1002"] == {
        "state": "paused",
        "reason": "training",
        "idle_since": at(2).isoformat(),
    }
    assert data["agents"]["1001"]["state"] == "ringing"

    fresh = make_core("1001", "1002", "1003", "1004")
    fresh.restore(json.loads(json.dumps(data)))
    assert fresh.agents_by_state() == {
        "logged_out": ["1004"],
        "ready": ["1001", "1003"],
        "ringing": [],
        "talking": [],
        "wrap_up": [],
        "paused": ["1002"],
    }
    assert fresh.agent("1002").reason == "training"
    for a in ("1001", "1003"):  # registration is not persisted: the AMI resync reports it
        assert fresh.agent(a).registered is False
        fresh.handle(AgentRegistered(a, True), at(100))
    out = fresh.handle(CallQueued("c9", "fault", 0, at(101)), at(101))
    assert [o.agent_id for o in out if isinstance(o, Offer)] == ["1001"]  # idle since t=1


def test_restore_refuses_a_busy_core_and_a_malformed_snapshot():
    core = make_core("1001")
    with pytest.raises(AcdError, match="version"):
        core.restore({"agents": {}})
    with pytest.raises(AcdError, match="unknown state 'dancing'"):
        core.restore({"version": 1, "agents": {"1001": {"state": "dancing"}}})
    with pytest.raises(AcdError, match="paused without a reason"):
        core.restore({"version": 1, "agents": {"1001": {"state": "paused"}}})
    assert core.agent("1001").state == "logged_out"  # nothing applied
    core.restore({"version": 1, "agents": {"gone": {"state": "ready"}}})  # unknown id: skipped
    core.handle(CallQueued("c1", "fault", 0, T0), T0)
    with pytest.raises(AcdError, match="fresh core: 1 calls"):
        core.restore(core.snapshot())
