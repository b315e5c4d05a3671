"""The outbound dialer core: which job goes on a free line, when a failed attempt is retried, when
a job is given up.

Pure: `handle(event, now) -> list[Command]`, `now` an aware datetime (UTC by convention); an
illegal event raises `DialerError` naming the job and its state, and changes nothing. The next job
comes off the heaps of `JobQueue` (O(log n), no scans); `next_wakeup()` tells the daemon when to
Tick next.

Per Tick, in this order: pending jobs whose number went on the do-not-call list end (`dnc`), jobs
whose deadline passed end (`out_of_window` if never tried), jobs that became due move to ready,
and, inside the call window (working-days-only purposes: on a working day), up to `free_lines`
ready jobs are dialled, higher priority first, then earlier due, then insertion order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import DialerError
from .events import (
    AddJob,
    AttemptEnded,
    AttemptRecord,
    CancelJob,
    Command,
    Dial,
    DncAdded,
    DncRemoved,
    Event,
    JobFinished,
    JobRescheduled,
    Tick,
)
from .jobs import DIAL_RESULTS, Job, JobQueue, JobView, Live, Status, check_number
from .schedule import allowed_at, next_attempt_at
from .settings import DialerSettings

UTC = UTC
EPSILON = timedelta(microseconds=1)  # a deadline is the last moment to dial; expiry is after it


class Dialer:
    def __init__(self, settings: DialerSettings, dnc: Iterable[str] = ()):
        if not isinstance(settings, DialerSettings):
            raise DialerError(f"settings must be DialerSettings, got {settings!r}")
        self.settings = settings
        self.dnc: set[str] = {check_number(n, "do-not-call number") for n in dnc}
        self.queue = JobQueue()
        self._dnc_hits: list[str] = []  # pending jobs whose number went on the DNC list

    # --- queries -----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        q = self.queue
        return {"pending": len(q.jobs) - q.in_progress, "in_progress": q.in_progress}

    def job(self, job_id: str) -> JobView:
        return self._live(job_id, "job()").view()

    def pending_jobs(self) -> list[JobView]:
        """Pending jobs by due time (a status view: O(n log n), not for the Tick path)."""
        pending = [j for j in self.queue.jobs.values() if j.state == "pending"]
        pending.sort(key=lambda j: (j.due, j.seq))
        return [j.view() for j in pending]

    def next_wakeup(self, now: datetime) -> datetime | None:
        """The earliest time a Tick with a free line produces a command: `now` if something is
        dialable or to be ended now, else the earliest of the next due time, the next window
        opening for jobs already due and the next deadline expiry; None if nothing is pending."""
        _check_now(now)
        q = self.queue
        q.promote(now)
        self._dnc_hits = [j for j in self._dnc_hits if self._dnc_hit(j)]
        if self._dnc_hits:
            return now
        due, deadline = q.next_due(), q.next_deadline()
        times = [] if due is None else [due]
        if deadline is not None:
            times.append(deadline + EPSILON)
        local = now.astimezone(self.settings.tz)
        for anyday in (True, False):
            if q.has_ready(anyday):
                cal = None if anyday else self.settings.calendar
                times.append(self.settings.window.next_open(local, cal))
        return max(now, min(times)).astimezone(UTC) if times else None

    # --- events ------------------------------------------------------------------------------

    def handle(self, event: Event, now: datetime) -> list[Command]:
        _check_now(now)
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise DialerError(f"unknown event {event!r}")
        out: list[Command] = []
        handler(self, event, now, out)
        return out

    def _add(self, e: AddJob, now: datetime, out: list[Command]) -> None:
        if not isinstance(e.job, Job):
            raise DialerError(f"AddJob needs a Job, got {e.job!r}")
        known = self.queue.jobs.get(e.job.id)
        if known is not None:
            raise DialerError(f"AddJob {e.job.id}: the job is already {known.state}")
        job = replace(e.job, payload=dict(e.job.payload))  # our own copy, validated again
        if job.number in self.dnc:
            out.append(AttemptRecord(job.id, job.attempts + 1, "dnc", now))
            out.append(JobFinished(job.id, "given_up", "dnc"))
        elif job.attempts >= job.max_attempts:
            out.append(
                JobFinished(
                    job.id,
                    "given_up",
                    f"{job.last_result or 'no result'} after "
                    f"{job.attempts} attempts (restored with none left)",
                )
            )
        else:
            live = self.queue.add(job, job.purpose not in self.settings.working_days_only)
            # due may be in the past: it is ready now, and ranks by how long it has been due
            due = allowed_at(job.purpose, job.not_before, self.settings)
            self.queue.schedule(live, due, now)  # due after the deadline: it expires

    def _cancel(self, e: CancelJob, now: datetime, out: list[Command]) -> None:
        if not isinstance(e.reason, str) or not e.reason:
            raise DialerError(f"{e!r}: the reason must be a non-empty string")
        live = self._live(e.job_id, e)
        if live.state == "in_progress":
            live.cancel = e.reason  # ends with the attempt
        else:
            self._finish(live, "cancelled", e.reason, None, out)

    def _tick(self, e: Tick, now: datetime, out: list[Command]) -> None:
        lines = e.free_lines
        if not isinstance(lines, int) or isinstance(lines, bool) or lines < 0:
            raise DialerError(f"Tick: free_lines must be an int >= 0, got {lines!r}")
        q = self.queue
        hits, self._dnc_hits = self._dnc_hits, []
        for job_id in hits:
            if self._dnc_hit(job_id):
                hit = q.jobs[job_id]
                out.append(AttemptRecord(job_id, hit.job.attempts + 1, "dnc", now))
                self._finish(hit, "given_up", "dnc", None, out)
        while (live := q.pop_expired(now)) is not None:
            if live.job.attempts == 0:
                out.append(AttemptRecord(live.job.id, 1, "out_of_window", now))
            self._finish(live, "given_up", live.job.last_result or "out_of_window", None, out)
        q.promote(now)
        local = now.astimezone(self.settings.tz)
        if lines == 0 or not self.settings.window.contains(local):
            return
        working_day = self.settings.calendar.is_working_day(local.date())
        for _ in range(lines):
            live = q.pop_ready(working_day)
            if live is None:
                return
            q.start(live)
            job = live.job
            job.attempts += 1
            out.append(Dial(job.id, job.number, job.purpose, job.attempts, dict(job.payload)))

    def _ended(self, e: AttemptEnded, now: datetime, out: list[Command]) -> None:
        live = self._live(e.job_id, e)
        if live.state != "in_progress":
            raise DialerError(f"{e!r}: job {e.job_id} is {live.state}, not in_progress")
        if e.result not in DIAL_RESULTS:
            raise DialerError(f"{e!r}: result must be one of {', '.join(DIAL_RESULTS)}")
        job = live.job
        job.last_result = e.result
        tries = f"{e.result} after {job.attempts} attempt{'s' * (job.attempts != 1)}"
        if e.result == "answered":
            return self._finish(live, "done", "answered", e.key, out)
        if live.cancel is not None:
            return self._finish(live, "cancelled", live.cancel, e.key, out)
        if job.number in self.dnc:
            return self._finish(live, "given_up", "dnc", e.key, out)
        if job.attempts >= job.max_attempts:
            return self._finish(live, "given_up", tries, e.key, out)
        at = next_attempt_at(job, now, self.settings)
        if at is None:
            deadline = job.deadline.astimezone(self.settings.tz).isoformat()
            return self._finish(
                live,
                "given_up",
                f"{tries}; the next try would fall after the deadline {deadline}",
                e.key,
                out,
            )
        self.queue.schedule(live, at, now)
        out.append(JobRescheduled(job.id, at, e.result))

    def _dnc_added(self, e: DncAdded, now: datetime, out: list[Command]) -> None:
        number = check_number(e.number, "DncAdded number")
        self.dnc.add(number)  # idempotent; pending jobs end at the next Tick
        self._dnc_hits += [
            j for j in self.queue.by_number.get(number, ()) if self.queue.jobs[j].state == "pending"
        ]

    def _dnc_removed(self, e: DncRemoved, now: datetime, out: list[Command]) -> None:
        self.dnc.discard(check_number(e.number, "DncRemoved number"))  # idempotent

    # --- internals ---------------------------------------------------------------------------

    def _live(self, job_id: str, event: object) -> Live:
        live = self.queue.jobs.get(job_id)
        if live is None:
            raise DialerError(f"{event!r}: job {job_id} is unknown (never added, or finished)")
        return live

    def _dnc_hit(self, job_id: str) -> bool:
        live = self.queue.jobs.get(job_id)
        return live is not None and live.state == "pending" and live.job.number in self.dnc

    def _finish(self, live: Live, status: Status, reason: str, key: str | None, out: list[Command]) -> None:
        self.queue.remove(live)
        out.append(JobFinished(live.job.id, status, reason, key))


def _check_now(now: datetime) -> None:
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise DialerError(f"now must be an aware datetime, got {now!r}")


_HANDLERS: dict[type, Callable[[Dialer, Any, datetime, list[Command]], None]] = {
    AddJob: Dialer._add,
    CancelJob: Dialer._cancel,
    Tick: Dialer._tick,
    AttemptEnded: Dialer._ended,
    DncAdded: Dialer._dnc_added,
    DncRemoved: Dialer._dnc_removed,
}
