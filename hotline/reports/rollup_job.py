"""The daemon's report-rollup task: every REFRESH_S seconds, off the call path, compute the days
whose calls changed (hotline/reports/rollup.py `refresh`) with the config's thresholds.

Today's UTC day is dirty while calls come in, so each round recomputes it from its raw rows (a
busy center's day: some tens of thousands of calls, well under a second of database work); a
day's late changes (a disposition in wrap-up, a survey, the CDR ledger's reconciliation) are
picked up the same way. Until a round has run, reports read those days from the raw rows: the
rollup never makes a figure stale, only faster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.reports.figures import Thresholds
from hotline.reports.rollup import refresh

REFRESH_S = 60.0
log = structlog.get_logger("reports")


class RollupJob:
    def __init__(
        self,
        engine: AsyncEngine,
        thresholds: Thresholds,
        *,
        every_s: float = REFRESH_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.engine, self.thresholds, self.every_s, self.sleep = engine, thresholds, every_s, sleep

    async def run(self) -> None:
        """A round every `every_s` seconds (the first after one interval: not during the start),
        until cancelled."""
        while True:
            await self.sleep(self.every_s)
            await self.once()

    async def once(self) -> int:
        """One round; -> days computed (0 if the store could not be reached: the next round retries,
        the days stay marked)."""
        try:
            days = await refresh(self.engine, self.thresholds)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("report.rollup_failed", error=f"{type(exc).__name__}: {exc}")
            return 0
        if days:
            log.info("report.rollup_refreshed", days=days)
        return days
