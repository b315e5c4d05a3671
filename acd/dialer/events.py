"""What the dialer core accepts (events) and returns (commands). All frozen; the core never reads
the clock, every `handle()` gets `now`.

Every event comes from the daemon's dialer runtime (hotline.services.dialer_driver):
- `AddJob` for each open job of the store: loaded at start, found by the poll (jobs the CLI
  added) or added by the daemon itself (follow-ups from MQTT, planned-outage notices, callbacks
  booked after an inbound call);
- `CancelJob` for a job cancelled in the store (the CLI), found by the poll;
- `Tick` on each pass of its loop: at `Dialer.next_wakeup()`, after `poll_seconds` at the latest,
  and at once when a job was added or an attempt ended;
- `AttemptEnded` when a try's outbound line is free again (hotline.services.dialer_attempts: the
  result of the AMI Originate, or of the call flow once answered, and the key pressed);
- `DncAdded` / `DncRemoved` for the changes of the do-not-call list in the store, synced at start
  and on each poll.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .jobs import Job, Purpose, Result, Status

# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddJob:
    job: Job


@dataclass(frozen=True, slots=True)
class CancelJob:
    """Pending: finished at once. In progress: finished `cancelled` when the attempt ends
    (unless it was answered: then it is `done`)."""

    job_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Dial what is due on up to `free_lines` lines (the adapter counts the agents' own outbound
    calls and the dialer's calls still up)."""

    free_lines: int


@dataclass(frozen=True, slots=True)
class AttemptEnded:
    """The Dial of an in-progress job ended. `key`: the key the customer pressed in the call flow
    (e.g. a follow-up's answer), if any; passed through to `JobFinished` when the job ends."""

    job_id: str
    result: Result
    key: str | None = None


@dataclass(frozen=True, slots=True)
class DncAdded:
    number: str


@dataclass(frozen=True, slots=True)
class DncRemoved:
    number: str


Event = AddJob | CancelJob | Tick | AttemptEnded | DncAdded | DncRemoved

# --- commands ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dial:
    """Place the call on a free outbound line; report the end with `AttemptEnded`."""

    job_id: str
    number: str
    purpose: Purpose
    attempt: int  # 1-based, counting restored attempts
    payload: Mapping[str, str]  # the job's, a copy


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """An attempt that never dialled (result `dnc` or `out_of_window`): log it like a call."""

    job_id: str
    attempt: int
    result: Result
    at: datetime
    key: str | None = None


@dataclass(frozen=True, slots=True)
class JobRescheduled:
    """The attempt failed (`reason` = its result); the next one is due at `due_at` (UTC)."""

    job_id: str
    due_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class JobFinished:
    """Exactly once per job; the core forgets the job afterwards."""

    job_id: str
    status: Status
    reason: str
    key: str | None = None


Command = Dial | AttemptRecord | JobRescheduled | JobFinished
