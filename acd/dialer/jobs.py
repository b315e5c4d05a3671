"""Outbound jobs, and the queue of live jobs the dialer core picks the next call from.

A job is one customer to call for one purpose between `not_before` and `deadline`. It is handed to
the core by `AddJob`; the core keeps its own copy and counts the attempts on it. `attempts` > 0 on
a new job means attempts made before a restart (restored from the store); they count against
`max_attempts`.

`JobQueue` never scans: three heaps with lazy deletion,
  later     (due, version, id)                 pending jobs not yet due
  ready[c]  (-priority, due, seq, version, id) pending jobs that are due; c = may be called on
            any day (True) or only on working days (False): a Saturday skips the second heap
  deadlines (deadline, seq, id)                at most one entry per job
An entry of `later`/`ready` counts only while its job still has that `version` (each schedule and
each start moves it on; `seq` tells a reused job id apart); a deadline entry only while its job is
live. A deadline entry reached while the job is in progress is dropped and queued again when the
job is rescheduled. A heap holding more than twice the live jobs (+64) is rebuilt (amortised O(1)).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import count
from typing import Any, Literal, TypeVar, get_args

from .errors import DialerError

Purpose = Literal["followup", "outage_notice", "callback"]
Result = Literal["answered", "busy", "no_answer", "rejected", "failed", "out_of_window", "dnc"]
Status = Literal["done", "given_up", "cancelled"]

PURPOSES: tuple[str, ...] = get_args(Purpose)
RESULTS: tuple[str, ...] = get_args(Result)
DIAL_RESULTS: tuple[str, ...] = RESULTS[:5]  # what an attempt that did dial can end with
NEVER_DIALLED: tuple[str, ...] = RESULTS[5:]  # recorded by the core for attempts that never dial
STATUSES: tuple[str, ...] = get_args(Status)

Later = tuple[datetime, int, str]  # (due, version, job id)
Ready = tuple[int, datetime, int, int, str]  # (-priority, due, seq, version, job id)
Deadline = tuple[datetime, int, str]  # (deadline, seq, job id)
_HeapEntry = TypeVar("_HeapEntry", bound=tuple[Any, ...])


def check_number(number: object, what: str = "number") -> str:
    """Digits only (ASCII), 3-20 of them: the adapter normalises (+86, dashes) before the core."""
    if (
        not isinstance(number, str)
        or not (3 <= len(number) <= 20)
        or not (number.isascii() and number.isdigit())
    ):
        raise DialerError(f"{what} must be 3-20 ASCII digits, got {number!r}")
    return number


def check_aware(value: object, what: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise DialerError(f"{what} must be an aware datetime, got {value!r}")
    return value


@dataclass(slots=True)
class Job:
    id: str
    number: str
    purpose: Purpose
    not_before: datetime  # aware; no Dial before this
    deadline: datetime  # aware; the last moment a Dial may start
    priority: int = 0  # higher first (key accounts; callbacks keep their queue's)
    attempts: int = 0  # already made
    max_attempts: int = 3
    last_result: str | None = None
    payload: dict[str, str] = field(default_factory=dict)  # opaque to the core

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise DialerError(f"job id must be a non-empty string, got {self.id!r}")
        where = f"job {self.id}"
        check_number(self.number, f"{where}: number")
        if self.purpose not in PURPOSES:
            raise DialerError(f"{where}: purpose must be one of {', '.join(PURPOSES)}, got {self.purpose!r}")
        check_aware(self.not_before, f"{where}: not_before")
        check_aware(self.deadline, f"{where}: deadline")
        if self.deadline < self.not_before:
            raise DialerError(
                f"{where}: deadline {self.deadline.isoformat()} is before "
                f"not_before {self.not_before.isoformat()}"
            )
        for name in ("priority", "attempts", "max_attempts"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise DialerError(f"{where}: {name} must be an int, got {value!r}")
        if self.max_attempts < 1:
            raise DialerError(f"{where}: max_attempts must be >= 1, got {self.max_attempts}")
        if not 0 <= self.attempts <= self.max_attempts:
            raise DialerError(
                f"{where}: attempts must be 0..max_attempts ({self.max_attempts}), got {self.attempts}"
            )
        if self.last_result is not None and self.last_result not in RESULTS:
            raise DialerError(
                f"{where}: last_result must be one of {', '.join(RESULTS)} or None, got {self.last_result!r}"
            )
        if not isinstance(self.payload, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.payload.items()
        ):
            raise DialerError(f"{where}: payload must map str to str, got {self.payload!r}")


@dataclass(frozen=True, slots=True)
class JobView:
    """A status view of a live job."""

    job: Job  # a copy
    state: str  # pending | in_progress
    due_at: datetime | None  # None while in progress


@dataclass(slots=True)
class Live:
    """The core's record of a job it holds."""

    job: Job
    seq: int  # insertion order
    anyday: bool  # its purpose may be called on non-working days
    due: datetime | None = None
    version: int = -1
    state: str = "pending"  # pending | in_progress (finished jobs are removed)
    cancel: str | None = None  # CancelJob reason received while in progress
    in_deadlines: bool = False

    def view(self) -> JobView:
        return JobView(
            replace(self.job, payload=dict(self.job.payload)),
            self.state,
            self.due if self.state == "pending" else None,
        )


class JobQueue:
    def __init__(self) -> None:
        self.jobs: dict[str, Live] = {}
        self.by_number: dict[str, set[str]] = {}
        self.in_progress = 0
        self._later: list[Later] = []
        self._ready: dict[bool, list[Ready]] = {True: [], False: []}
        self._deadlines: list[Deadline] = []
        self._seq, self._versions = count(), count()

    def add(self, job: Job, anyday: bool) -> Live:
        live = self.jobs[job.id] = Live(job, next(self._seq), anyday)
        self.by_number.setdefault(job.number, set()).add(job.id)
        return live

    def schedule(self, live: Live, due: datetime, now: datetime) -> None:
        """(Back) to pending, due at `due`."""
        if live.state == "in_progress":
            live.state = "pending"
            self.in_progress -= 1
        if not live.in_deadlines:
            live.in_deadlines = True
            self._push(self._deadlines, (live.job.deadline, live.seq, live.job.id))
        live.due, live.version = due, next(self._versions)
        if due <= now:
            self._push(
                self._ready[live.anyday], (-live.job.priority, due, live.seq, live.version, live.job.id)
            )
        else:
            self._push(self._later, (due, live.version, live.job.id))

    def start(self, live: Live) -> None:
        live.state, live.version = "in_progress", next(self._versions)
        self.in_progress += 1

    def remove(self, live: Live) -> None:
        job = live.job
        del self.jobs[job.id]
        same = self.by_number[job.number]
        same.discard(job.id)
        if not same:
            del self.by_number[job.number]
        if live.state == "in_progress":
            self.in_progress -= 1

    def promote(self, now: datetime) -> None:
        """Move the jobs due by `now` from `later` to their ready heap."""
        later, jobs = self._later, self.jobs
        while later and later[0][0] <= now:
            due, version, job_id = heapq.heappop(later)
            live = jobs.get(job_id)
            if live is not None and live.version == version:
                self._push(self._ready[live.anyday], (-live.job.priority, due, live.seq, version, job_id))

    def pop_ready(self, working_day: bool) -> Live | None:
        """The due job to dial first (priority, then due time, then insertion order), taken off
        its heap; working-days-only jobs only if `working_day`."""
        best: Ready | None = None
        for anyday in (True, False) if working_day else (True,):
            top = self._top(self._ready[anyday])
            if top is not None and (best is None or top < best):
                best = top
        if best is None:
            return None
        heapq.heappop(self._ready[self.jobs[best[4]].anyday])
        return self.jobs[best[4]]

    def has_ready(self, anyday: bool) -> bool:
        return self._top(self._ready[anyday]) is not None

    def next_due(self) -> datetime | None:
        top = self._top(self._later)
        return None if top is None else top[0]

    def next_deadline(self) -> datetime | None:
        """The earliest deadline of a pending job (dropping stale and in-progress entries)."""
        heap, jobs = self._deadlines, self.jobs
        while heap:
            live = jobs.get(heap[0][2])
            if live is not None and live.seq == heap[0][1]:
                if live.state == "pending":
                    return heap[0][0]
                live.in_deadlines = False
            heapq.heappop(heap)
        return None

    def pop_expired(self, now: datetime) -> Live | None:
        """A pending job whose deadline is before `now`, taken off the deadline heap."""
        deadline = self.next_deadline()
        if deadline is None or not deadline < now:
            return None
        live = self.jobs[heapq.heappop(self._deadlines)[2]]
        live.in_deadlines = False
        return live

    def _top(self, heap: list[_HeapEntry]) -> _HeapEntry | None:
        jobs = self.jobs
        while heap:
            live = jobs.get(heap[0][-1])
            if live is not None and live.version == heap[0][-2]:
                return heap[0]
            heapq.heappop(heap)
        return None

    def _push(self, heap: list[_HeapEntry], entry: _HeapEntry) -> None:
        heapq.heappush(heap, entry)
        if len(heap) > 2 * len(self.jobs) + 64:
            jobs = self.jobs
            if heap is self._deadlines:
                keep = [x for x in heap if (j := jobs.get(x[2])) is not None and j.seq == x[1]]
            else:
                keep = [x for x in heap if (j := jobs.get(x[-1])) is not None and j.version == x[-2]]
            heapq.heapify(keep)
            heap[:] = keep
