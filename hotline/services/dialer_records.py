"""The dialer's records: what it writes to the store about its jobs and tries, and tells the bus.

The dialer never waits for the database: each write is queued and `run` carries the writes out
one at a time in the order they were asked for, so a job's rows (attempt started, answered,
ended, job rescheduled or finished) are written in the order these happened. A write that fails
is logged with its traceback and the next one goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Concatenate, ParamSpec

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from acd import dialer as core
from hotline.bus import EventBus
from hotline.dialer import store
from hotline.dialer.jobs import content_of

log = structlog.get_logger("dialer")
P = ParamSpec("P")


class DialerRecords:
    def __init__(self, engine: AsyncEngine, bus: EventBus) -> None:
        self.engine = engine
        self.bus = bus
        self._queue: asyncio.Queue[Callable[[], Awaitable[None]] | None] = asyncio.Queue()

    # ---- tries -------------------------------------------------------------------------------
    def attempt_started(self, cmd: core.Dial, at: datetime) -> None:
        self._write(
            store.attempt_started,
            job_id=cmd.job_id,
            attempt=cmd.attempt,
            number=cmd.number,
            purpose=cmd.purpose,
            content=content_of(cmd),
            at=at,
        )
        self.bus.dialer_attempt(cmd.job_id, cmd.attempt, cmd.purpose, cmd.number)

    def attempt_answered(self, job_id: str, attempt: int, at: datetime, uniqueid: str) -> None:
        self._write(store.attempt_answered, job_id, attempt, at, uniqueid)

    def attempt_ended(
        self, cmd: core.Dial, *, result: str, reason: str | None, key: str | None, at: datetime
    ) -> None:
        log.info("dialer.attempt", job=cmd.job_id, attempt=cmd.attempt, result=result, reason=reason, key=key)
        self._write(
            store.attempt_ended,
            job_id=cmd.job_id,
            attempt=cmd.attempt,
            at=at,
            result=result,
            reason=reason,
            key=key,
        )

    def attempt_skipped(self, cmd: core.AttemptRecord, job: core.Job) -> None:
        """A try that never dialled (number on the DNC list, window missed)."""
        self._write(
            store.attempt_skipped,
            job_id=cmd.job_id,
            attempt=cmd.attempt,
            number=job.number,
            purpose=job.purpose,
            at=cmd.at,
            result=cmd.result,
        )

    # ---- jobs --------------------------------------------------------------------------------
    def job_rescheduled(self, cmd: core.JobRescheduled) -> None:
        self._write(store.job_rescheduled, cmd.job_id, cmd.due_at, cmd.reason)

    def job_finished(self, cmd: core.JobFinished, *, stored: bool, at: datetime) -> None:
        """Logged and published; written unless the store has it already (`stored`: a job the
        CLI cancelled)."""
        log.info("dialer.job_finished", job=cmd.job_id, status=cmd.status, reason=cmd.reason, key=cmd.key)
        self.bus.dialer_job(cmd.job_id, cmd.status, cmd.reason, cmd.key)
        if not stored:
            self._write(
                store.job_finished, cmd.job_id, status=cmd.status, reason=cmd.reason, key=cmd.key, at=at
            )

    # ---- the ordered writer ------------------------------------------------------------------
    def _write(
        self, fn: Callable[Concatenate[AsyncEngine, P], Awaitable[None]], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        self._queue.put_nowait(lambda: fn(self.engine, *args, **kwargs))

    def close(self) -> None:
        """`run` returns once the writes queued so far are done."""
        self._queue.put_nowait(None)

    async def run(self) -> None:
        while (write := await self._queue.get()) is not None:
            try:
                await write()
            except Exception:  # logged with the traceback; the dialer goes on with the next job
                log.exception("dialer.store_write_failed")
