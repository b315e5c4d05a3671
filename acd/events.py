"""Events the ACD core accepts: from the AMI adapter (agents), the call sessions (calls, offers)
and the daemon's timer wheel (`TimerFired`). All frozen; the core never reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

LeaveReason = Literal["hangup", "message", "callback"]


# --- agents (feature codes, softphone, PJSIP registration) -------------------------------------


@dataclass(frozen=True, slots=True)
class AgentLogin:
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentLogout:
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentPause:
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AgentResume:
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentRegistered:
    """Any registration / contact status change; an unregistered agent is never offered."""

    agent_id: str
    registered: bool


@dataclass(frozen=True, slots=True)
class WrapUpDone:
    """The agent ends wrap-up early from the softphone."""

    agent_id: str


# --- calls (one call session each) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallQueued:
    """The caller asked for an agent. `at` = when they joined the queue (aware UTC); higher
    `priority` is served first (VIP / key accounts), FIFO by `at` within a priority."""

    call_id: str
    category: str
    priority: int
    at: datetime
    placed_by: str | None = None  # the agent whose own phone placed the call: never offered it


@dataclass(frozen=True, slots=True)
class CallLeft:
    """The caller left before talking to an agent: hung up, or chose message / callback."""

    call_id: str
    reason: LeaveReason = "hangup"


@dataclass(frozen=True, slots=True)
class CallEnded:
    """The talk is over (either side hung up); the agent goes to wrap-up."""

    call_id: str


# --- offers (the session's Dial and its result) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class RingStarted:
    """Asterisk started ringing the offered agent (the session's Dial began): ring time counts
    from here, not from the offer (the session may finish a prompt before it dials)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferAnswered:
    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferNoAnswer:
    """DIALSTATUS=NOANSWER after the ring timeout (4 rings)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferBusy:
    """DIALSTATUS=BUSY (486)."""

    call_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class OfferUnavailable:
    """DIALSTATUS=CHANUNAVAIL / CONGESTION: the endpoint cannot be reached."""

    call_id: str
    agent_id: str


# --- timers ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimerFired:
    key: str


AgentEvent = AgentLogin | AgentLogout | AgentPause | AgentResume | AgentRegistered | WrapUpDone
OfferEvent = OfferAnswered | OfferNoAnswer | OfferBusy | OfferUnavailable
RingEvent = RingStarted | OfferEvent
CallEvent = CallQueued | CallLeft | CallEnded
Event = AgentEvent | RingEvent | CallEvent | TimerFired
