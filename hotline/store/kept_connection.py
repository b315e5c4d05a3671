"""One pooled connection kept between uses, for the hot paths that run a small statement often
(the recorder's writer, the lookup before the menu): a pool checkout and its reset cost more
than such a statement.

Users that arrive together share one opening, which finishes (and is kept) even if the one that
started it gives up waiting. After a failure `drop(invalidate=True)` lets it go, and the next
`get()` takes a new one; `release()` gives it back to the pool when its user stops. Neither
raises: a connection that cannot even be let go is logged, so the error that made its user drop
it is the one that is seen.
"""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = structlog.get_logger()


class KeptConnection:
    def __init__(self, engine: AsyncEngine, name: str) -> None:
        """`name` says whose connection it is in the log."""
        self.engine = engine
        self.name = name
        self._conn: AsyncConnection | None = None
        self._opening: asyncio.Future[None] | None = None

    async def get(self) -> AsyncConnection:
        if self._conn is None:
            if self._opening is None:
                self._opening = asyncio.ensure_future(self._open())
            await asyncio.shield(self._opening)
        assert self._conn is not None  # the opening succeeded (it raised otherwise)
        return self._conn

    async def _open(self) -> None:
        try:
            self._conn = await self.engine.connect()
        finally:
            self._opening = None

    async def drop(self, *, invalidate: bool) -> None:
        """Let the connection go (`invalidate`: it failed, it is closed rather than pooled)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if invalidate:
                await conn.invalidate()
            await conn.close()
        except (SQLAlchemyError, OSError) as exc:
            log.warning(
                "store.connection_release_failed", of=self.name, error=str(exc), invalidated=invalidate
            )

    async def release(self) -> None:
        """Give the connection back to the pool (an opening in progress is waited for first)."""
        if self._opening is not None:
            await asyncio.gather(self._opening, return_exceptions=True)
        await self.drop(invalidate=False)
