"""The dialer in the daemon: feeds the pure core (acd.dialer) and carries its commands out.

One loop (`run`): every `poll_seconds` (at once after `poll_soon()`: the console, the CLI's SIGUSR1)
it reads the jobs, notices and DNC list (`dialer.store_read` when they changed), then ticks the core
with the free outbound lines (4 minus every outbound call in progress: the dialer's, callbacks',
agents' own 9+number calls; 0 while AMI is down). A `Dial` seizes a line in the shared
trunk-capacity core and places the try (hotline.services.dialer_attempts: originate over AMI and,
when answered, wait for the FastAGI call flow to finish); once the line is released the core hears
the result. Every write to the store goes through one ordered queue
(hotline.services.dialer_records), so a job's rows are written in order. Jobs the daemon asks for
itself (MQTT, callbacks, notices) come from hotline.services.dialer_requests, which refuses and
reports numbers outbound.dial_patterns does not allow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from acd import dialer as core
from acd.dialer.callback_rule import callback_why
from acd.trunks import Refuse, Seize, TrunkCapacity
from hotline.asterisk.originate import DialerAmi, channel_id
from hotline.bus import EventBus
from hotline.dialer import store
from hotline.dialer.config import dialer_settings
from hotline.dialer.jobs import JobRequestError, job_from_row
from hotline.dialer.models import OutboundJobRow
from hotline.dialer.service_done import ServiceDone
from hotline.observability.dial_refusals import DialRefusals
from hotline.services.dialer_attempts import FLOW_START_S, DialerAttempts, TryEnded
from hotline.services.dialer_records import DialerRecords
from hotline.services.dialer_requests import RequestedJobs
from hotline.settings import Settings

log = structlog.get_logger("dialer")
# The poll re-reads rows created this long before the previous poll: a CLI stamps a job before
# its transaction commits, so a row can become visible well after its created_at.
POLL_OVERLAP = timedelta(minutes=5)


class OutboundRuntime:
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        trunks: TrunkCapacity,
        ami: DialerAmi | None,
        bus: EventBus,
        clock: Callable[[], datetime],
        *,
        refusals: DialRefusals,
        flow_start_s: float = FLOW_START_S,
    ) -> None:
        """`refusals` reports a requested number outbound.dial_patterns does not allow;
        `flow_start_s`: how long an answered call's FastAGI call flow has to connect."""
        self.settings, self.engine, self.trunks, self.ami, self.bus = settings, engine, trunks, ami, bus
        self.clock = clock
        self.requests = RequestedJobs(settings, refusals)
        self.core = core.Dialer(dialer_settings(settings.outbound))
        self._dnc: set[str] = set()
        self._records = DialerRecords(engine, bus)
        self._attempts = DialerAttempts(
            settings, trunks, ami, clock, self._records, self._try_ended, flow_start_s=flow_start_s
        )
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping, self._poll_asked = False, False  # close(), poll_soon()
        self._last_notice_id = 0
        self._jobs: dict[str, core.Job] = {}  # the jobs the core holds (it forgets finished ones)
        self._finished: set[str] = set()  # ended in this run (their rows may lag behind)

    # ---- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        """Until `close()`: load open jobs, then poll and tick. Runs the store writer alongside."""
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._records.run(), name="dialer-writer")
            await self._load_when_reachable()
            last_poll, every = self.clock(), timedelta(seconds=self.settings.outbound.poll_seconds)
            while not self._stopping:
                now = self.clock()
                if self._poll_asked or now - last_poll >= every:
                    self._poll_asked = False
                    try:
                        await self._poll(last_poll - POLL_OVERLAP)
                        last_poll = now
                    except (SQLAlchemyError, OSError) as exc:  # the database is away: poll again later
                        log.warning("dialer.poll_failed", error=str(exc).splitlines()[0])
                self.tick()
                await self._sleep_until_due()
            await self.drain()
            self._records.close()

    def poll_soon(self) -> None:
        """Read the store now, not at the next poll (the console changed jobs, notices, DNC)."""
        self._poll_asked = True
        self._wake.set()

    def close(self) -> None:
        """Stop placing calls; calls in progress finish (the daemon drains FastAGI sessions)."""
        self._stopping = True
        self._wake.set()

    async def _sleep_until_due(self) -> None:
        now = self.clock()
        delay = self.settings.outbound.poll_seconds
        due = self.core.next_wakeup(now)
        if due is not None:
            delay = min(delay, max(0.0, (due - now).total_seconds()))
        await self._nap(delay)  # until it is time to poll or a job falls due

    async def _nap(self, seconds: float) -> None:
        """Sleep up to `seconds`; close(), poll_soon() or a new job wakes it early."""
        self._wake.clear()
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            pass

    async def _load_when_reachable(self) -> None:
        """`_load`, retried with back-off while the database is away (calls go on meanwhile:
        the dialer just places none)."""
        delay = 0.5
        while not self._stopping:
            try:
                await self._load()
                return
            except (SQLAlchemyError, OSError) as exc:
                log.warning("dialer.load_failed", error=str(exc).splitlines()[0], retry_in_s=delay)
                await self._nap(delay)
                delay = min(delay * 2, 30.0)

    async def _load(self) -> None:
        closed = await store.recover_interrupted(self.engine, self.clock())
        if closed:
            log.warning("dialer.interrupted_attempts_closed", attempts=closed)
        await self._sync_dnc()
        rows = await store.open_jobs(self.engine)
        for row in rows:
            self._add_row(row)
        log.info("dialer.loaded", jobs=len(rows), dnc=len(self._dnc))
        await self._notify_new_notices()  # notices published while the daemon was down

    async def _poll(self, since: datetime) -> None:
        dnc = await self._sync_dnc()
        await self._notify_new_notices()
        new, cancelled = await store.changed_since(self.engine, since)
        added = sum(self._add_row(row) for row in new)
        ended = [job_id for job_id in cancelled if job_id in self._jobs]
        for job_id in ended:
            self._apply(self.core.handle(core.CancelJob(job_id, "cancelled"), self.clock()), stored=True)
        if added or ended or dnc:
            log.info("dialer.store_read", new_jobs=added, cancelled=len(ended), dnc_changes=dnc)

    def _add_row(self, row: OutboundJobRow) -> bool:
        """Hand a stored job to the core once (the poll and `add()` may both see it); False if seen."""
        if row.id in self._jobs or row.id in self._finished:
            return False
        job = job_from_row(row)
        self._jobs[job.id] = job
        self._apply(self.core.handle(core.AddJob(job), self.clock()))
        refusal = self.settings.outbound.dial_policy.check(row.number)
        if refusal is not None:  # stored before outbound.dial_patterns was narrowed: never dialled
            self.requests.refusals.report("dialer", refusal, by=f"{row.purpose} job-{row.id}")
            reason = f"number not allowed by outbound.dial_patterns ({refusal.reason})"
            self._apply(self.core.handle(core.CancelJob(job.id, reason), self.clock()))
        return True

    async def _sync_dnc(self) -> int:
        """The do-not-call list as stored; returns how many numbers came or went."""
        numbers = await store.dnc_numbers(self.engine)
        now = self.clock()
        for n in sorted(numbers - self._dnc):
            self._apply(self.core.handle(core.DncAdded(n), now))
        for n in sorted(self._dnc - numbers):
            self._apply(self.core.handle(core.DncRemoved(n), now))
        changes = len(numbers ^ self._dnc)
        self._dnc = numbers
        return changes

    def free_lines(self) -> int:
        if self.ami is None or not self.ami.connected.is_set():
            return 0
        return max(0, self.trunks.limits["outbound"] - self.trunks.in_use("outbound"))

    def tick(self) -> None:
        if not self._stopping:
            self._apply(self.core.handle(core.Tick(self.free_lines()), self.clock()))

    # ---- jobs from the daemon itself (MQTT, callbacks) -------------------------------------
    async def add(self, jobs: list[store.NewJob]) -> list[str]:
        """Store new jobs (duplicates by purpose+ref are ignored) and schedule them now."""
        inserted = await store.insert_jobs(self.engine, jobs)
        for row in await store.open_jobs(self.engine, inserted) if inserted else []:
            self._add_row(row)
        self._wake.set()
        return inserted

    async def _notify_new_notices(self) -> None:
        if not self.settings.outbound.notify_planned_outages:
            return
        now = self.clock()
        for notice in await store.planned_notices_after(self.engine, self._last_notice_id, now):
            inserted = await self.add(await self.requests.notice(self.engine, notice, now))
            self._last_notice_id = max(self._last_notice_id, notice.id)
            log.info("dialer.notice_calls", notice=notice.id, area=notice.area_code, jobs=len(inserted))

    async def schedule_followup(self, msg: ServiceDone) -> list[str]:
        """A service marked done on MQTT: its 回访 job (nothing new if the order is known)."""
        return await self.add([self.requests.followup(msg, self.clock())])

    def after_inbound_call(
        self,
        *,
        uniqueid: str,
        number: str,
        outcome: str,
        category: str | None,
        priority: int,
        waited_s: float | None,
    ) -> None:
        """Book a callback for a caller who asked for one, or who hung up after waiting long."""
        why = callback_why(outcome, waited_s, self.settings.outbound.callback_after_abandon_seconds)
        if why is None:
            return
        try:
            job = self.requests.callback(
                uniqueid=uniqueid,
                number=number,
                category=category,
                priority=priority,
                why=why,
                now=self.clock(),
            )
        except JobRequestError as exc:
            log.warning("dialer.no_callback", call=uniqueid, reason=str(exc))
            return
        self._spawn(self.add([job]), f"callback-{uniqueid}")

    # ---- commands ------------------------------------------------------------------------
    def _apply(self, commands: list[core.Command], *, stored: bool = False) -> None:
        for cmd in commands:
            if isinstance(cmd, core.Dial):
                self._dial(cmd)
            elif isinstance(cmd, core.AttemptRecord):
                self._records.attempt_skipped(cmd, self._jobs[cmd.job_id])
            elif isinstance(cmd, core.JobRescheduled):
                self._records.job_rescheduled(cmd)
            elif isinstance(cmd, core.JobFinished):
                self._jobs.pop(cmd.job_id, None)
                self._finished.add(cmd.job_id)
                self._records.job_finished(cmd, stored=stored, at=self.clock())
            else:
                raise TypeError(f"the dialer runtime does not know command {cmd!r}")

    def _dial(self, cmd: core.Dial) -> None:
        call_id = channel_id(cmd.job_id, cmd.attempt)
        (decision,) = self.trunks.handle(Seize(call_id, "outbound"), self.clock())
        if isinstance(decision, Refuse):  # cannot happen: Tick was given the free lines
            raise RuntimeError(f"dialer got no line for {call_id}: {decision.reason}")
        self._spawn(self._attempts.place(cmd, call_id), call_id)

    def _try_ended(self, ended: TryEnded) -> None:
        """A try's line is free again: the core hears the result."""
        self._apply(self.core.handle(core.AttemptEnded(ended.job_id, ended.result, ended.key), ended.at))
        self._wake.set()

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("dialer.task_failed", task=task.get_name(), exc_info=task.exception())

    # ---- for the call flow (hotline/calls/dialer_call.py) --------------------------------
    def call_answered(self, job_id: str, attempt: int, uniqueid: str) -> core.Job | None:
        """The answered call reached the daemon; None if that try is no longer in progress."""
        job = self._jobs.get(job_id)
        if job is None or not self._attempts.answered(job_id, attempt, uniqueid):
            log.warning("dialer.unexpected_call", job=job_id, attempt=attempt, uniqueid=uniqueid)
            return None
        return job

    def call_finished(self, job_id: str, attempt: int, key: str | None) -> None:
        self._attempts.finished(job_id, attempt, key)

    async def drain(self) -> None:
        """Wait for the calls in progress (the daemon stops the FastAGI sessions first)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
