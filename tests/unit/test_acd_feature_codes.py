"""acd.feature_codes: what *45 / *46 / *47 mean in the agent's state."""

import pytest

from acd import events as ev
from acd.feature_codes import code_event


@pytest.mark.parametrize(
    ("state", "action", "args", "expected"),
    [
        ("logged_out", "login_toggle", [], (ev.AgentLogin("001"), "agent_logged_in")),
        ("ready", "login_toggle", [], (ev.AgentLogout("001"), "agent_logged_out")),
        ("paused", "login_toggle", [], (ev.AgentLogout("001"), "agent_logged_out")),
        ("ready", "pause", ["2"], (ev.AgentPause("001", "meeting"), "agent_paused")),
        ("paused", "resume", [], (ev.AgentResume("001"), "agent_resumed")),
        ("wrap_up", "wrapup_done", [], (ev.WrapUpDone("001"), "agent_wrapup_done")),
        ("ready", "pause", ["9"], None),  # no such reason
        ("ready", "pause", [], None),
        ("ready", "dial_out", [], None),
        ("ready", "", [], None),
    ],
)
def test_code_event(state, action, args, expected):
    assert code_event("001", state, action, args) == expected
