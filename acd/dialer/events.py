"""What the dialer core accepts (events) and returns (commands). All frozen; the core never reads
the clock, every `handle()` gets `now`.

Events come from the daemon: jobs from the service / outage / callback modules, `Tick` from its
timer (at `Dialer.next_wakeup()` and whenever an outbound line frees), `AttemptEnded` from the
outbound call session (DIALSTATUS mapped to a result), DNC changes from the list's admin.
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
    """The Dial of an in-progress job ended. `key`: the adapter's record of the call (CDR id,
    recording), passed through to `JobFinished`."""

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
