"""Committing the recorder's batches: one transaction each, retried through a database outage.

The writer keeps one connection between batches (a pool checkout and its reset cost more than a
small batch's writing); on SQLite a batch written optimistically is sent with its commit in one
hand-off to the driver's thread (hotline.store.sqlite_steps). A connection that failed is
invalidated and a new one taken at the retry. `release()` gives it back when the writer stops.

On a connection or operational error the batch is retried with back-off, forever, logged each
time; the outage itself is logged once (`store.outage`, error) and its end with its length
(`store.recovered`). A batch the database refuses for its content (a constraint or data error)
is split, so one bad item is logged and dropped instead of stalling the store.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import structlog
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.batch import Conflict, Item, Rejected, optimistic_steps, write_batch
from hotline.store.kept_connection import KeptConnection
from hotline.store.sqlite_steps import commit_steps

log = structlog.get_logger()


class Committer:
    """Writes batches of items to `engine`; `waiting()` (the recorder's backlog) is logged with
    the start and end of an outage."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        retry_initial_s: float,
        retry_max_s: float,
        waiting: Callable[[], int],
        committed: Callable[[int], None],
    ) -> None:
        """`committed(n)` is told of every transaction committed, with its number of items."""
        self._engine = engine
        self._committed = committed
        self._retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self._waiting = waiting
        self._outage_since: float | None = None  # monotonic time of the first failed write
        self._kept = KeptConnection(engine, "recorder")  # the writer's, kept between batches

    @property
    def reachable(self) -> bool:
        """False from a failed write until the next write succeeds."""
        return self._outage_since is None

    async def write(self, items: list[Item]) -> None:
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
                await self.write([item])
            return
        self._committed(len(items))
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
                conn = await self._kept.get()
                if optimistic and conn.dialect.driver == "aiosqlite":
                    steps, rejected = optimistic_steps(conn.dialect, items)
                    await commit_steps(conn, steps)  # one hand-off to the driver's thread
                else:
                    async with conn.begin():
                        rejected = await write_batch(conn, items, optimistic=optimistic)
            except Conflict:
                optimistic = False  # rolled back; the careful write reports every skipped item
                continue
            except (IntegrityError, DataError):
                raise
            except (SQLAlchemyError, OSError) as exc:
                await self._kept.drop(invalidate=True)  # a connection that failed is not reused
                self._outage(exc)
                log.error(
                    "store.write_failed", attempt=attempt, items=len(items), retry_in_s=delay, error=str(exc)
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max_s)
                attempt += 1
                continue
            if attempt > 1:
                log.info("store.write_recovered", attempts=attempt, items=len(items))
            self._recovered()
            return rejected

    async def release(self) -> None:
        """Give the writer's connection back to the pool (the writer stops); never raises."""
        await self._kept.release()

    def _outage(self, exc: Exception) -> None:
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            log.error("store.outage", error=str(exc), waiting=self._waiting())

    def _recovered(self) -> None:
        if self._outage_since is not None:
            outage_s = round(time.monotonic() - self._outage_since, 3)
            self._outage_since = None
            log.warning("store.recovered", outage_s=outage_s, waiting=self._waiting())
