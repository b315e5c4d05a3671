"""CallRecorder: the only writer of the call store.

Call sessions call the non-blocking methods (`call_started`, `event`, `call_ended`,
`call_blocked`); they validate at once (ValueError/TypeError to the caller) and enqueue. One
writer task (`run()`, or `start()` to create it) commits whatever is queued in one transaction.
If the database is unreachable the batch is kept and retried with back-off, logged each time.
Batches go to the database as driver-level executemany (statements.py); on SQLite without reading
first, falling back to reading first when the database holds a surprise (batch.py).

The writer must be running (`start()`, or `run()` in a task) for `flush()`/`close()` to return.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.batch import Conflict, End, Event, Item, Rejected, Start, write_batch
from hotline.store.models import Call, CallEvent
from hotline.store.utc_datetime import require_aware
from hotline.store.validate import checker

log = structlog.get_logger()

ORPHAN_REASON = "daemon stopped before the call ended"
MAX_BATCH = 1000  # items per transaction (beyond ~1000 the per-batch costs no longer show)
# Group commit: after the first item of a batch the writer waits this long for more, so a busy
# hour costs one transaction per window instead of one per call event. flush() still returns
# only once the items are committed.
LINGER_S = 0.25
_REMEMBERED_CALLS = 50_000  # uniqueids kept in memory to refuse a second start/end at call time
_CALL_CHECKS = checker(Call.__table__)  # per-column checks, built once
_EVENT_CHECKS = checker(CallEvent.__table__)
_START_FIELDS = ("direction", "started_at", "caller_number", "caller_name", "dnid", "trunk", "linkedid")


class _Barrier:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class _Stop:
    __slots__ = ()


class CallRecorder:
    def __init__(self, engine: AsyncEngine, *, retry_initial_s: float = 0.5, retry_max_s: float = 30.0) -> None:
        self._engine = engine
        self._queue: asyncio.Queue[Item | _Barrier | _Stop] = asyncio.Queue()
        self._retry_initial_s = retry_initial_s
        self._retry_max_s = retry_max_s
        self._calls: OrderedDict[str, bool] = OrderedDict()  # uniqueid -> ended (this process)
        self._barriers: set[asyncio.Future[None]] = set()
        self._closing = False
        self._running = False
        self._finished = False
        self._task: asyncio.Task[None] | None = None
        self._unwritten = 0  # items enqueued and not yet committed (or dropped with a log)

    # ----- producers: non-blocking, validate now, write later -----

    def call_started(
        self,
        uniqueid: str,
        *,
        direction: str,
        started_at: datetime,
        caller_number: str | None,
        caller_name: str | None,
        dnid: str | None,
        trunk: str | None,
        linkedid: str | None = None,
    ) -> None:
        row = self._start_row(uniqueid, locals())
        self._remember(uniqueid, ended=False)
        self._put(Start(row))

    def call_ended(self, uniqueid: str, *, ended_at: datetime, outcome: str, **fields: Any) -> None:
        """Record the end of a call; `fields` are any other `calls` columns (agent_id, talk_s...)."""
        values = self._end_values(uniqueid, ended_at, outcome, fields)
        self._remember(uniqueid, ended=True)
        self._put(End(uniqueid, values))

    def call_blocked(
        self,
        uniqueid: str,
        *,
        direction: str,
        started_at: datetime,
        caller_number: str | None,
        caller_name: str | None,
        dnid: str | None,
        trunk: str | None,
        linkedid: str | None = None,
        ended_at: datetime | None = None,
        **fields: Any,
    ) -> None:
        """A refused call (blacklist...): one row, started and ended, outcome 'blocked'."""
        row = self._start_row(uniqueid, locals())
        row.update(self._end_values(uniqueid, ended_at or started_at, "blocked", fields))
        self._remember(uniqueid, ended=True)
        self._put(Start(row))

    def knows(self, uniqueid: str) -> bool:
        """Whether this process has already started (or blocked) a call with this id."""
        return uniqueid in self._calls

    def event(self, uniqueid: str, at: datetime, kind: str, data: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"event data must be a dict, got {type(data).__name__}")
        values = {"call_uniqueid": uniqueid, "at": at, "kind": kind, "data": data}
        self._put(Event(_EVENT_CHECKS.values(values)))

    # ----- writer -----

    def start(self) -> asyncio.Task[None]:
        """Create the writer task (alternatively run `run()` in your own task group)."""
        if self._task is not None:
            raise RuntimeError("CallRecorder.start() was already called")
        self._task = asyncio.create_task(self.run(), name="call-recorder")
        return self._task

    async def run(self) -> None:
        """The writer loop; returns after `close()`. Runs at most once per recorder."""
        if self._running or self._finished:
            raise RuntimeError("CallRecorder.run() can run only once per recorder")
        self._running = True
        try:
            while True:
                batch = [await self._queue.get()]
                if not isinstance(batch[0], (_Barrier, _Stop)) and self._queue.empty():
                    await asyncio.sleep(LINGER_S)
                while len(batch) < MAX_BATCH and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                items = [i for i in batch if isinstance(i, (Start, Event, End))]
                if items:
                    await self._write(items)
                    self._unwritten -= len(items)
                for marker in batch:
                    if isinstance(marker, _Barrier) and not marker.done.done():
                        marker.done.set_result(None)
                if any(isinstance(m, _Stop) for m in batch):
                    return
        finally:
            self._running = False
            self._finished = True
            if self._unwritten:
                log.error("store.writer_stopped_with_unwritten_items", items=self._unwritten)
            for waiter in self._barriers:
                if not waiter.done():
                    waiter.set_exception(RuntimeError("the call recorder's writer stopped before this flush"))

    async def flush(self) -> None:
        """Wait until everything enqueued so far is committed (the writer must be running)."""
        if self._finished:
            if not self._unwritten:
                return
            raise RuntimeError(f"the call recorder's writer has stopped; {self._unwritten} items were not written")
        barrier = _Barrier()
        self._barriers.add(barrier.done)
        try:
            self._queue.put_nowait(barrier)
            await barrier.done
        finally:
            self._barriers.discard(barrier.done)

    async def close(self) -> None:
        """Refuse new items, write everything queued, stop the writer (and await its task)."""
        if not self._closing:
            self._closing = True
            await self.flush()  # raises if the writer already stopped with items still queued
            if not self._finished:
                self._queue.put_nowait(_Stop())
        if self._task is not None:
            await self._task

    @property
    def closed(self) -> bool:
        return self._closing

    async def recover_orphans(self, now: datetime) -> int:
        """At daemon start: calls left in progress by a previous run become 'failed'."""
        stmt = (
            update(Call)
            .where(Call.outcome.is_(None))
            .values(outcome="failed", failure_reason=ORPHAN_REASON, ended_at=require_aware(now, "now"))
        )
        async with self._engine.begin() as conn:
            count = (await conn.execute(stmt)).rowcount
        if count:
            log.warning("store.orphans_recovered", count=count, reason=ORPHAN_REASON)
        return count

    # ----- internals -----

    def _put(self, item: Item) -> None:
        if self._closing:
            raise RuntimeError("the call recorder is closed")
        self._queue.put_nowait(item)
        self._unwritten += 1

    def _start_row(self, uniqueid: str, args: dict[str, Any]) -> dict[str, Any]:
        row = _CALL_CHECKS.values({"uniqueid": uniqueid, **{n: args[n] for n in _START_FIELDS}})
        if uniqueid in self._calls:
            raise ValueError(f"call {uniqueid!r} was already started")
        return row

    def _end_values(self, uniqueid: str, ended_at: datetime, outcome: str, fields: dict[str, Any]) -> dict[str, Any]:
        _CALL_CHECKS.value("uniqueid", uniqueid)
        if "uniqueid" in fields:
            raise ValueError("uniqueid cannot be changed when a call ends")
        values = _CALL_CHECKS.values({"ended_at": ended_at, "outcome": outcome, **fields})
        if values["outcome"] is None:
            raise ValueError(f"call {uniqueid!r}: outcome is required when a call ends")
        if self._calls.get(uniqueid):
            raise ValueError(f"call {uniqueid!r} already ended; the first end is kept")
        return values

    def _remember(self, uniqueid: str, *, ended: bool) -> None:
        self._calls[uniqueid] = ended
        self._calls.move_to_end(uniqueid)
        while len(self._calls) > _REMEMBERED_CALLS:
            self._calls.popitem(last=False)

    async def _write(self, items: list[Item]) -> None:
        """Commit `items`; a batch the database refuses for its content is split, so one bad
        item (constraint or data error) is logged and dropped instead of stalling the store."""
        try:
            rejected = await self._commit_with_retry(items)
        except (IntegrityError, DataError) as exc:
            if len(items) == 1:
                log.error("store.item_dropped", item=repr(items[0]), error=str(exc))
                return
            log.warning("store.batch_refused", items=len(items), error=str(exc), action="writing one by one")
            for item in items:
                await self._write([item])
            return
        for r in rejected:
            log.error(r.event, uniqueid=r.uniqueid, reason=r.reason)

    async def _commit_with_retry(self, items: list[Item]) -> list[Rejected]:
        """One transaction; on connection/operational errors retry with back-off, forever.
        Written optimistically (no reads) where the driver counts rows; a `Conflict` (a row
        already there, an end of an unknown/ended call) rolls back and rewrites with reads."""
        delay = self._retry_initial_s
        attempt = 1
        optimistic = self._engine.dialect.supports_sane_multi_rowcount
        while True:
            try:
                async with self._engine.begin() as conn:
                    rejected = await write_batch(conn, items, optimistic=optimistic)
            except Conflict:
                optimistic = False  # rolled back; the careful write reports every skipped item
                continue
            except (IntegrityError, DataError):
                raise
            except (SQLAlchemyError, OSError) as exc:
                log.error("store.write_failed", attempt=attempt, items=len(items), retry_in_s=delay, error=str(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max_s)
                attempt += 1
                continue
            if attempt > 1:
                log.info("store.write_recovered", attempts=attempt, items=len(items))
            return rejected
