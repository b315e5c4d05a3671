"""CallRecorder: the only writer of the call store.

Call sessions call the non-blocking methods (`call_started`, `event`, `call_ended`,
`call_blocked`); they validate at once (ValueError/TypeError to the caller; known_calls.py) and
enqueue. One writer task (`run()`, or `start()` to create it) commits whatever is queued in one
transaction, retried with back-off while the database is unreachable (committer.py). Batches go
to the database as driver-level executemany (statements.py); on SQLite without reading first,
falling back to reading first when the database holds a surprise (batch.py).

Group commit (commit_window.py): woken with less than a full batch, the writer waits for more to
join it as long as the window says (none unless items come fast; flush() never waits for one).
Without a window it commits at once whatever is queued; batches still grow under load.

Memory is bounded when a spill file is given: at most `max_memory_items` items are held (queued
or being written). Beyond that, and from the first failed write of an outage (so that what is
recorded during an outage survives a crash), every item is appended to the spill file
(spill.py), and keeps going there until the writer, after memory, has written the whole file
back - so items reach the database in the order they were recorded, a call's start before its
events and end. A spill file a previous run left is written by `recover_orphans` before anything
else. Without a spill file, memory is not bounded (items are never dropped).

The writer must be running (`start()`, or `run()` in a task) for `flush()`/`close()` to return.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.fanout import Fanout
from hotline.store.batch import End, Event, Item, Start
from hotline.store.commit_window import DEFAULT_BUSY_WINDOW_S, DEFAULT_LINGER_S, CommitWindow
from hotline.store.committer import Committer
from hotline.store.known_calls import KnownCalls, event_values
from hotline.store.orphans import ORPHAN_REASON
from hotline.store.recovery import close_open_calls
from hotline.store.spill import SpillFile
from hotline.store.spill_writer import write_spill_batch
from hotline.store.utc_datetime import require_aware
from hotline.store.write_progress import WriteProgress

log = structlog.get_logger()

__all__ = ["DEFAULT_MAX_MEMORY_ITEMS", "MAX_BATCH", "ORPHAN_REASON", "CallRecorder"]
MAX_BATCH = 1000  # items per transaction (beyond ~1000 the per-batch costs no longer show)
DEFAULT_MAX_MEMORY_ITEMS = 100_000


class CallRecorder:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 30.0,
        max_memory_items: int = DEFAULT_MAX_MEMORY_ITEMS,
        spill_path: str | os.PathLike[str] | None = None,
        linger_s: float = DEFAULT_LINGER_S,
        busy_window_s: float = DEFAULT_BUSY_WINDOW_S,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_memory_items < 1:
            raise ValueError(f"max_memory_items must be at least 1, got {max_memory_items}")
        self.window = CommitWindow(linger_s, busy_window_s, clock)  # group commit (module docstring)
        self._sleep = sleep  # awaited for the window (tests give their own)
        self._engine = engine
        self._memory: deque[Item] = deque()  # oldest first; every item here precedes the spill file's
        self._max_memory = max_memory_items
        self._spill = SpillFile(spill_path) if spill_path is not None else None
        self._in_flight = 0  # items taken from memory for the batch being written
        self._wake = asyncio.Event()
        self._spill_lock = asyncio.Lock()  # one reader of the spill file at a time (writer, replay)
        self.committed: Fanout[int] = Fanout("recorder-commits")  # items of each transaction committed
        self._committer = Committer(
            engine,
            retry_initial_s=retry_initial_s,
            retry_max_s=retry_max_s,
            waiting=lambda: self.backlog,
            committed=self.committed,
        )
        self._calls = KnownCalls()
        self._progress = WriteProgress()
        self._closing = self._stopping = self._running = self._finished = False
        self._task: asyncio.Task[None] | None = None
        self.observers: Fanout[Item] = Fanout("recorder")  # see every item accepted for writing

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
        row = self._calls.start_row(uniqueid, locals())
        self._calls.remember(uniqueid, ended=False)
        self._put(Start(row))

    def call_ended(self, uniqueid: str, *, ended_at: datetime, outcome: str, **fields: Any) -> None:
        """Record the end of a call; `fields` are any other `calls` columns (agent_id, talk_s...)."""
        values = self._calls.end_values(uniqueid, ended_at, outcome, fields)
        self._calls.remember(uniqueid, ended=True)
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
        row = self._calls.start_row(uniqueid, locals())
        row.update(self._calls.end_values(uniqueid, ended_at or started_at, "blocked", fields))
        self._calls.remember(uniqueid, ended=True)
        self._put(Start(row))

    def knows(self, uniqueid: str) -> bool:
        """Whether this process has already started (or blocked) a call with this id."""
        return uniqueid in self._calls

    def event(self, uniqueid: str, at: datetime, kind: str, data: dict[str, Any]) -> None:
        self._put(Event(event_values(uniqueid, at, kind, data)))

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
            self._stopped()  # first: a cancel during the release below must not skip it
            await self._committer.release()  # never raises

    def _stopped(self) -> None:
        self._running = False
        self._finished = True
        if self._spill is not None:
            self._spill.close()
        if self._progress.unwritten:
            kept = {"in_spill_file": self._spill.pending} if self._spill is not None else {}
            log.error("store.writer_stopped_with_unwritten_items", items=self._progress.unwritten, **kept)
        self._progress.fail("the call recorder's writer stopped before this flush")

    async def _write_memory(self) -> None:
        gather = len(self._memory) < MAX_BATCH and not self._progress.awaited and not self._stopping
        if gather and (wait := self.window.wait_s()):
            await self._sleep(wait)  # group commit: let more items join this batch
        batch = [self._memory.popleft() for _ in range(min(MAX_BATCH, len(self._memory)))]
        self._in_flight = len(batch)
        try:
            await self._committer.write(batch)
        finally:
            self._in_flight = 0
        self._progress.acknowledge(len(batch))

    async def _write_spill(self, *, leftover_only: bool) -> None:
        """One batch from the spill file (no larger than the memory bound)."""
        assert self._spill is not None
        max_items = min(MAX_BATCH, self._max_memory)
        done = await write_spill_batch(
            self._spill, self._committer, self._spill_lock, max_items, leftover_only=leftover_only
        )
        self._progress.acknowledge(done)

    async def flush(self) -> None:
        """Wait until everything enqueued so far is committed (the writer must be running)."""
        if self._finished:
            unwritten = self._progress.unwritten
            if not unwritten:
                return
            spilled = self.spilled_items
            kept = f" ({spilled} kept in the spill file for the next start)" if spilled else ""
            raise RuntimeError(
                f"the call recorder's writer has stopped; {unwritten} items were not written{kept}"
            )
        await self._progress.wait()

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
        return self._committer.reachable

    async def recover_orphans(self, now: datetime, *, extensions: Mapping[str, str] | None = None) -> int:
        """At daemon start: first the spill file a previous run left is written, then the calls
        it left in progress are closed from their events (orphans.py; `extensions` maps 工号 to
        extension, for the answering agent). Returns how many calls were closed."""
        require_aware(now, "now")
        if self._spill is not None and self._spill.leftover:
            log.warning("store.spill_replay", file=str(self._spill.path), items=self._spill.leftover)
            while self._spill.leftover:
                await self._write_spill(leftover_only=True)
            if not self._running:
                await self._committer.release()  # the writer, started later, takes its own
        count = await close_open_calls(self._engine, now, extensions)
        if count:
            log.warning("store.orphans_recovered", count=count)
        return count

    # ----- internals -----

    def _put(self, item: Item) -> None:
        if self._closing:
            raise RuntimeError("the call recorder is closed")
        spill, full = self._spill, len(self._memory) + self._in_flight >= self._max_memory
        if spill is not None and (spill.pending or not self._committer.reachable or full):
            self._spill_item(spill, item)
        else:
            self._memory.append(item)
        self._progress.accept()
        self.window.arrived()
        self._wake.set()
        self.observers(item)

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
