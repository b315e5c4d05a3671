"""What a supervisor may do to an agent from the wallboard, decided from the ACD's view (pure).

- Listen, whisper or barge (`spy_refusal`): only into a call the agent is talking on, and only
  to a supervisor phone that is configured and registered (it is rung to hear the call).
- Force-pause or log out (`force_event`): the same AgentPause / AgentLogout the agent's own
  feature codes feed, with the pause reason "supervisor"; refused in a state where the ACD would
  refuse it (ringing, talking: a call in progress keeps its agent) or where it changes nothing
  (pausing a paused agent would overwrite the agent's own reason; logging out a logged-out one).

Each refusal is a code (for the page's message and the tests) with the detail that explains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import events as ev
from .agents import AgentView
from .rules import AGENT_RULES

SpyMode = Literal["listen", "whisper", "barge"]
SPY_MODES: tuple[SpyMode, ...] = ("listen", "whisper", "barge")
ForceAction = Literal["pause", "logout"]
FORCE_ACTIONS: tuple[ForceAction, ...] = ("pause", "logout")
SUPERVISOR_PAUSE = "supervisor"  # the pause reason of a forced pause (reports show it per reason)

RefusalCode = Literal[
    "unknown_mode",
    "unknown_action",
    "not_talking",
    "no_phone",
    "phone_unregistered",
    "state",
]


@dataclass(frozen=True, slots=True)
class Refusal:
    code: RefusalCode
    state: str | None = None  # the agent's state, for the refusals that depend on it


def spy_refusal(agent: AgentView, mode: str, phone: str | None, phone_registered: bool) -> Refusal | None:
    """Why listening to `agent` in `mode` from the supervisor's `phone` (its extension, None when
    the supervisor has none) cannot start now; None = allowed."""
    if mode not in SPY_MODES:
        return Refusal("unknown_mode")
    if phone is None:
        return Refusal("no_phone")
    if agent.state != "talking":
        return Refusal("not_talking", agent.state)
    if not phone_registered:
        return Refusal("phone_unregistered")
    return None


def force_event(agent: AgentView, action: str) -> ev.AgentPause | ev.AgentLogout | Refusal:
    """The ACD event a supervisor's forced pause / log-out of `agent` feeds, or why not."""
    if action not in FORCE_ACTIONS:
        return Refusal("unknown_action")
    event: ev.AgentPause | ev.AgentLogout = (
        ev.AgentPause(agent.agent_id, SUPERVISOR_PAUSE)
        if action == "pause"
        else ev.AgentLogout(agent.agent_id)
    )
    allowed = (agent.state, type(event).__name__) in AGENT_RULES
    if not allowed or (action == "pause" and agent.state == "paused"):
        return Refusal("state", agent.state)
    return event
