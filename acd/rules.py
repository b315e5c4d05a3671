"""Transition rules of the ACD core, as data: (state, event) → next state.

A pair that is not in a table is illegal: `AcdError` names the state and the event and nothing
changes. `SAME` keeps the state. Event names are the classes in `acd.events`; the others are
the core's own steps (`Offer` = the core gives this agent a waiting call, `AutoLogin` = the
agent's softphone registered with auto-login on, `WrapUpTimer` = wrap-up time is over).

There is no ring guard timer: the session's Dial is given the ring timeout, so Asterisk itself
ends the ring `ring_timeout_s` after it started and the session reports NOANSWER; a session that
ends any other way takes its call out of the core (`CallLeft` / `CallEnded`). An "offered" agent
is `ringing` from the offer until that result, whether or not the Dial has started yet.
"""

from __future__ import annotations

from typing import Literal

from core_errors import CoreError

AgentState = Literal["logged_out", "ready", "ringing", "talking", "wrap_up", "paused"]
CallState = Literal["unknown", "waiting", "ringing", "talking", "ended"]
AGENT_STATES: tuple[AgentState, ...] = ("logged_out", "ready", "ringing", "talking", "wrap_up", "paused")
SAME = "same"


class AcdError(CoreError, ValueError):
    """The ACD core's one root error: an event that is illegal in the current state (names the
    state and the event), or a bad input to the core (settings, snapshot, call)."""


AGENT_RULES: dict[tuple[str, str], str] = {
    ("logged_out", "AgentLogin"): "ready",
    ("logged_out", "AutoLogin"): "ready",
    ("ready", "AgentLogout"): "logged_out",
    ("ready", "AgentPause"): "paused",
    ("ready", "Offer"): "ringing",
    ("ringing", "OfferAnswered"): "talking",
    ("ringing", "OfferNoAnswer"): "paused",  # reason "no answer"
    ("ringing", "RingStarted"): SAME,
    ("ringing", "OfferBusy"): "ready",  # held back for busy_backoff_s
    ("ringing", "OfferUnavailable"): "ready",  # and marked unregistered
    ("ringing", "CallLeft"): "ready",  # keeps its place in the idle order
    ("talking", "CallEnded"): "wrap_up",  # straight to ready when wrap_up_s == 0
    ("wrap_up", "WrapUpTimer"): "ready",
    ("wrap_up", "WrapUpDone"): "ready",
    ("wrap_up", "AgentPause"): "paused",
    ("wrap_up", "AgentLogout"): "logged_out",
    ("paused", "AgentResume"): "ready",
    ("paused", "AgentPause"): "paused",  # new reason
    ("paused", "AgentLogout"): "logged_out",
}
# Registration changes never change the state (an unregistered ready agent is just not offered).
AGENT_RULES.update({(s, "AgentRegistered"): SAME for s in AGENT_STATES})

CALL_RULES: dict[tuple[str, str], str] = {
    ("unknown", "CallQueued"): "waiting",
    ("waiting", "CallLeft"): "ended",  # abandoned_queue / message_left / callback
    ("ringing", "OfferAnswered"): "talking",  # outcome agent_answered
    ("ringing", "OfferNoAnswer"): "waiting",  # next agent at once
    ("ringing", "RingStarted"): SAME,
    ("ringing", "OfferBusy"): "waiting",
    ("ringing", "OfferUnavailable"): "waiting",
    ("ringing", "CallLeft"): "ended",  # abandoned_ringing
    ("talking", "CallEnded"): "ended",
}


def agent_next(agent_id: str, label: str, state: str, event: object) -> str:
    """Next state of agent `agent_id` in `state` (`label` shows the pause reason) on `event`
    (an event instance, or the name of one of the core's own steps)."""
    name = event if isinstance(event, str) else type(event).__name__
    nxt = AGENT_RULES.get((state, name))
    if nxt is None:
        raise AcdError(f"agent {agent_id} is {label}: {_show(event)} is not allowed")
    return state if nxt == SAME else nxt


def call_next(call_id: str, state: str, event: object) -> str:
    name = event if isinstance(event, str) else type(event).__name__
    nxt = CALL_RULES.get((state, name))
    if nxt is None:
        raise AcdError(f"call {call_id} is {state}: {_show(event)} is not allowed")
    return state if nxt == SAME else nxt


def _show(event: object) -> str:
    return event if isinstance(event, str) else repr(event)
