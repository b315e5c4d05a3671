"""Asterisk's CDR ledger reconciled with the store at start and then every
`asterisk.cdr_reconcile_seconds` (hotline/store/ledger.py): calls the fallback took while the
daemon was down or frozen end after it is running again, so one reading at start is not enough.
A ledger that cannot be read, or a store that is away, is logged and tried again next time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.settings import Settings
from hotline.store.ledger import LedgerError, reconcile_ledger

log = structlog.get_logger("daemon")


class LedgerWatch:
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        clock: Callable[[], datetime],
        on_change: Callable[[], Awaitable[None]] | None = None,
    ):
        """`on_change()`: awaited after a round that wrote rows (the wallboard reads its day again)."""
        self.on_change = on_change
        self.path = settings.asterisk.cdr_file
        self.interval_s = settings.asterisk.cdr_reconcile_seconds
        self.extensions = {a.extension: a.id for a in settings.agents}
        self.engine, self.clock = engine, clock

    async def run(self) -> None:
        if self.path is None:
            return
        while True:
            await asyncio.sleep(self.interval_s)
            await self.once()

    async def once(self) -> None:
        if self.path is None:
            return
        try:
            summary = await reconcile_ledger(self.engine, self.path, self.clock(), self.extensions)
        except LedgerError as exc:  # an unreadable ledger must not keep the hotline down
            log.error("daemon.ledger_unreadable", error=str(exc))
        except (SQLAlchemyError, OSError) as exc:  # the store away: the next round catches up
            log.warning("daemon.ledger_store_unreachable", error=f"{type(exc).__name__}: {exc}")
        else:
            if (summary.inserted or summary.updated) and self.on_change is not None:
                await self.on_change()
