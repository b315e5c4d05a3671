"""Commands the ACD core returns for the daemon to carry out, in order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Outcome = Literal[
    "agent_answered", "abandoned_queue", "abandoned_ringing", "message_left", "callback_requested"
]


@dataclass(frozen=True, slots=True)
class Offer:
    """Ring `extension` for `call_id` (Dial PJSIP/<extension>,<ring_timeout_s>,g...). `late`: the
    caller already waited longer than the answer target, so the agent hears an apology whisper."""

    call_id: str
    agent_id: str
    extension: str
    ring_timeout_s: float
    late: bool


@dataclass(frozen=True, slots=True)
class AnnouncePosition:
    """Tell the waiting caller how many callers are ahead (您前面还有 `ahead` 位客户) and the options
    (1 message, 2 callback). Given when a call starts waiting and every `position_announce_s`."""

    call_id: str
    ahead: int


@dataclass(frozen=True, slots=True)
class AnnounceLongWait:
    """The caller has waited `max_wait_s`: offer the message / callback options again, plainly.
    Once per call (given when it next waits, if an agent was ringing at that moment)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class StartTimer:
    """Deliver `TimerFired(key)` at `at`. Keys are unique; a stale one is ignored by the core."""

    key: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CancelTimer:
    key: str


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """Exactly once per call."""

    call_id: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Log:
    """A stats record: kinds queued, offer, ring, answer, no_answer, busy, unavailable,
    abandon, message_left, callback_requested, call_end, agent_state."""

    kind: str
    call_id: str | None
    agent_id: str | None
    data: Mapping[str, Any]


ToCall = Offer | AnnouncePosition | AnnounceLongWait  # carried out by the call's session
Command = ToCall | StartTimer | CancelTimer | CallOutcome | Log
