"""CallRecorder: the only writer of the call store.

Call sessions call the non-blocking methods (`call_started`, `event`, `call_ended`,
`call_blocked`); they validate at once (ValueError/TypeError to the caller) and enqueue. One
writer task (`run()`, or `start()` to create it) commits whatever is queued in one transaction.
If the database is unreachable the batch is kept and retried with back-off, logged each time;
the outage itself is logged once (`store.outage`, error) and its end with its length
(`store.recovered`). Batches go to the database as driver-level executemany (statements.py); on
SQLite without reading first, falling back to reading first when the database holds a surprise
(batch.py).

Memory is bounded when a spill file is given: at most `max_memory_items` items are held (queued
or being written). Beyond that, and from the first failed write of an outage (so that what is
recorded during an outage survives a crash), every item is appended to the spill file
(spill.py), and keeps going there until the writer, after memory, has written the whole file
back - so items reach the database in the order they were recorded, a call's start before its
events and end. A spill
file a previous run left is written by `recover_orphans` before anything else. Without a spill
file, memory is not bounded (items are never dropped).

The writer must be running (`start()`, or `run()` in a task) for `flush()`/`close()` to return.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import OrderedDict, deque
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.batch import Conflict, End, Event, Item, Rejected, Start, write_batch
from hotline.store.models import Call, CallEvent
from hotline.store.orphans import ORPHAN_REASON
from hotline.store.recovery import close_open_calls
from hotline.store.spill import SpillFile
from hotline.store.utc_datetime import require_aware
from hotline.store.validate import checker

log = structlog.get_logger()

__all__ = ["DEFAULT_MAX_MEMORY_ITEMS", "LINGER_S", "MAX_BATCH", "ORPHAN_REASON", "CallRecorder"]
MAX_BATCH = 1000  # items per transaction (beyond ~1000 the per-batch costs no longer show)
DEFAULT_MAX_MEMORY_ITEMS = 100_000
# Group commit: after the first item of a batch the writer waits this long for more, so a busy
# hour costs one transaction per window instead of one per call event. flush() still returns
# only once the items are committed.
LINGER_S = 0.25
_REMEMBERED_CALLS = 50_000  # uniqueids kept in memory to refuse a second start/end at call time
_CALL_CHECKS = checker(Call.__table__)  # per-column checks, built once
_EVENT_CHECKS = checker(CallEvent.__table__)
_START_FIELDS = ("direction", "started_at", "caller_number", "caller_name", "dnid", "trunk", "linkedid")


class CallRecorder:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 30.0,
        max_memory_items: int = DEFAULT_MAX_MEMORY_ITEMS,
        spill_path: str | os.PathLike[str] | None = None,
    ) -> None:
        if max_memory_items < 1:
            raise ValueError(f"max_memory_items must be at least 1, got {max_memory_items}")
        self._engine = engine
        self._memory: deque[Item] = deque()  # oldest first; every item here precedes the spill file's
        self._max_memory = max_memory_items
        self._spill = SpillFile(spill_path) if spill_path is not None else None
        self._in_flight = 0  # items taken from memory for the batch being written
        self._wake = asyncio.Event()
        self._spill_lock = asyncio.Lock()  # one reader of the spill file at a time (writer, replay)
        self._retry_initial_s = retry_initial_s
        self._retry_max_s = retry_max_s
        self._calls: OrderedDict[str, bool] = OrderedDict()  # uniqueid -> ended (this process)
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []  # flush(): (items to reach, future)
        self._closing = False
        self._stopping = False
        self._running = False
        self._finished = False
        self._task: asyncio.Task[None] | None = None
        self._enqueued = 0  # items this process accepted, in order
        self._written = 0  # of those, committed (or dropped with a log), in the same order
        self._outage_since: float | None = None  # monotonic time of the first failed write

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
        """The writer loop; returns after `close()`. Runs at most once per recorder.
        Memory first, then the spill file: everything in memory was recorded before it."""
        if self._running or self._finished:
            raise RuntimeError("CallRecorder.run() can run only once per recorder")
        self._running = True
        try:
            while True:
                if self._memory:
                    await self._write_memory()
                elif self._spill is not None and self._spill.pending:
                    await self._write_spill(leftover_only=False)
                elif self._stopping:
                    return
                else:
                    self._wake.clear()
                    await self._wake.wait()
        finally:
            self._stopped()

    def _stopped(self) -> None:
        self._running = False
        self._finished = True
        if self._spill is not None:
            self._spill.close()
        if self._unwritten:
            kept = {"in_spill_file": self._spill.pending} if self._spill is not None else {}
            log.error("store.writer_stopped_with_unwritten_items", items=self._unwritten, **kept)
        for _, waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(RuntimeError("the call recorder's writer stopped before this flush"))

    async def _write_memory(self) -> None:
        if len(self._memory) == 1 and not self._waiters and not self._stopping:
            await asyncio.sleep(LINGER_S)  # group commit: let more items join this batch
        batch = [self._memory.popleft() for _ in range(min(MAX_BATCH, len(self._memory)))]
        self._in_flight = len(batch)
        try:
            await self._write(batch)
        finally:
            self._in_flight = 0
        self._acknowledge(len(batch))

    async def _write_spill(self, *, leftover_only: bool) -> None:
        """One batch from the spill file (no larger than the memory bound)."""
        spill = self._spill
        assert spill is not None
        async with self._spill_lock:
            wanted = spill.leftover if leftover_only else spill.pending
            if not wanted:
                return  # the other reader wrote them
            try:
                items, lines, offset = spill.read(min(wanted, MAX_BATCH, self._max_memory))
            except OSError as exc:  # the file was removed or cannot be read: never fatal to calls
                log.error("store.spill_lost", file=str(spill.path), items=spill.pending, error=str(exc))
                self._acknowledge(spill.forget())
                return
            if not lines:  # the file holds less than it should (it could not be written): wait, retry
                log.error("store.spill_short", file=str(spill.path), expected=spill.pending)
                await asyncio.sleep(self._retry_max_s)
                return
            if items:  # still counted in spill.pending until committed
                await self._write(items)
            self._acknowledge(spill.commit(lines, offset))

    def _acknowledge(self, items: int) -> None:
        """`items` more of this process's items are written: wake the flushes that waited for them."""
        self._written += items
        if self._waiters:
            for target, waiter in self._waiters:
                if target <= self._written and not waiter.done():
                    waiter.set_result(None)
            self._waiters = [(t, w) for t, w in self._waiters if not w.done()]

    async def flush(self) -> None:
        """Wait until everything enqueued so far is committed (the writer must be running)."""
        if self._finished:
            if not self._unwritten:
                return
            kept = (
                f" ({self.spilled_items} kept in the spill file for the next start)"
                if self.spilled_items
                else ""
            )
            raise RuntimeError(
                f"the call recorder's writer has stopped; {self._unwritten} items were not written{kept}"
            )
        if self._written >= self._enqueued:
            return
        entry = (self._enqueued, asyncio.get_running_loop().create_future())
        self._waiters.append(entry)
        try:
            await entry[1]
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    async def close(self) -> None:
        """Refuse new items, write everything queued, stop the writer (and await its task)."""
        if not self._closing:
            self._closing = True
            await self.flush()  # raises if the writer already stopped with items still queued
            self._stopping = True
            self._wake.set()
        if self._task is not None:
            await self._task

    @property
    def closed(self) -> bool:
        return self._closing

    @property
    def backlog(self) -> int:
        """Items waiting to be written: in memory, being written, and in the spill file."""
        return len(self._memory) + self._in_flight + (self._spill.pending if self._spill is not None else 0)

    @property
    def memory_items(self) -> int:
        """Items held in memory (at most `max_memory_items` when a spill file is set; while the
        spill file is written back, one batch read from it, no larger, is held besides)."""
        return len(self._memory) + self._in_flight

    @property
    def spilled_items(self) -> int:
        return self._spill.pending if self._spill is not None else 0

    @property
    def reachable(self) -> bool:
        """False from a failed write until the next write succeeds."""
        return self._outage_since is None

    @property
    def _unwritten(self) -> int:
        return self._enqueued - self._written

    async def recover_orphans(self, now: datetime, *, extensions: Mapping[str, str] | None = None) -> int:
        """At daemon start: first the spill file a previous run left is written, then the calls
        it left in progress are closed from their events (orphans.py; `extensions` maps 工号 to
        extension, for the answering agent). Returns how many calls were closed."""
        require_aware(now, "now")
        if self._spill is not None and self._spill.leftover:
            log.warning("store.spill_replay", file=str(self._spill.path), items=self._spill.leftover)
            while self._spill.leftover:
                await self._write_spill(leftover_only=True)
        count = await close_open_calls(self._engine, now, extensions)
        if count:
            log.warning("store.orphans_recovered", count=count)
        return count

    # ----- internals -----

    def _put(self, item: Item) -> None:
        if self._closing:
            raise RuntimeError("the call recorder is closed")
        spill = self._spill
        if spill is not None and (
            spill.pending
            or self._outage_since is not None
            or len(self._memory) + self._in_flight >= self._max_memory
        ):
            self._spill_item(spill, item)
        else:
            self._memory.append(item)
        self._enqueued += 1
        self._wake.set()

    def _spill_item(self, spill: SpillFile, item: Item) -> None:
        """Once spilling starts, every item goes to the file until the writer has emptied it."""
        if not spill.pending:
            log.warning(
                "store.spilling",
                file=str(spill.path),
                memory_items=self.memory_items,
                database_reachable=self.reachable,
            )
        try:
            spill.append(item)
        except OSError as exc:  # no disk: memory it is, unbounded (this item may be written early)
            log.error("store.spill_failed", file=str(spill.path), error=str(exc))
            self._memory.append(item)

    def _start_row(self, uniqueid: str, args: dict[str, Any]) -> dict[str, Any]:
        row = _CALL_CHECKS.values({"uniqueid": uniqueid, **{n: args[n] for n in _START_FIELDS}})
        if uniqueid in self._calls:
            raise ValueError(f"call {uniqueid!r} was already started")
        return row

    def _end_values(
        self, uniqueid: str, ended_at: datetime, outcome: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
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
                self._outage(exc)
                log.error(
                    "store.write_failed", attempt=attempt, items=len(items), retry_in_s=delay, error=str(exc)
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max_s)
                attempt += 1
                continue
            if attempt > 1:
                log.info("store.write_recovered", attempts=attempt, items=len(items))
            self._recovered()
            return rejected

    def _outage(self, exc: Exception) -> None:
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            log.error("store.outage", error=str(exc), waiting=self.backlog)

    def _recovered(self) -> None:
        if self._outage_since is not None:
            outage_s = round(time.monotonic() - self._outage_since, 3)
            self._outage_since = None
            log.warning("store.recovered", outage_s=outage_s, waiting=self.backlog)
