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
class StopRinging:
    """The ring guard timer fired with no Dial result: hang up the agent's ringing leg."""

    call_id: str
    agent_id: str


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
    """A stats record: kinds queued, offer, answer, no_answer, busy, unavailable, ring_timeout,
    abandon, message_left, callback_requested, call_end, agent_state."""

    kind: str
    call_id: str | None
    agent_id: str | None
    data: Mapping[str, Any]


Command = Offer | StopRinging | StartTimer | CancelTimer | CallOutcome | Log
