"""What an agent's feature code means in the agent's current state (pure).

  *45      log in / log out (toggle)      *46<r>  pause with reason r (1-4)
  *46      resume                          *47     end wrap-up now

The dialplan passes the action (`login_toggle`, `pause` + reason digit, `resume`,
`wrapup_done`); the result is the ACD event to feed and the prompt that confirms it, or None
for a code that means nothing (the core still refuses an event its state does not allow).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import events as ev

PAUSE_REASONS = {"1": "break", "2": "meeting", "3": "training", "4": "other"}
CodeEvent = ev.AgentLogin | ev.AgentLogout | ev.AgentPause | ev.AgentResume | ev.WrapUpDone


def code_event(agent_id: str, state: str, action: str, args: Sequence[str]) -> tuple[CodeEvent, str] | None:
    if action == "login_toggle":
        if state == "logged_out":
            return ev.AgentLogin(agent_id), "agent_logged_in"
        return ev.AgentLogout(agent_id), "agent_logged_out"
    if action == "pause" and args and args[0] in PAUSE_REASONS:
        return ev.AgentPause(agent_id, PAUSE_REASONS[args[0]]), "agent_paused"
    if action == "resume":
        return ev.AgentResume(agent_id), "agent_resumed"
    if action == "wrapup_done":
        return ev.WrapUpDone(agent_id), "agent_wrapup_done"
    return None
