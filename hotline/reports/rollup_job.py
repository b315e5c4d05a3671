"""The daemon's report-rollup task: every REFRESH_S seconds, off the call path, compute the days
whose calls changed (hotline/reports/rollup.py `refresh`) with the config's thresholds, except
the UTC day still going on.

That day is marked dirty again by each call, and reports read a dirty day from its raw rows
(rollup_read.py), so computing it every round would be thrown away, and it costs a scan of the
day (a busy center's: some tens of thousands of calls, 0.26 s on SQLite, bench/
report_year.py) every round of the working day. It is computed in the first round after UTC
midnight. A past day's late changes (a disposition in wrap-up, a survey, the CDR ledger's
reconciliation, a call that went on past midnight) are picked up by the next round. Until a
round has computed a day, reports read it from the raw rows: the rollup never makes a figure
stale, only faster.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.clock import utcnow
from hotline.reports.figures import Thresholds
from hotline.reports.rollup import day_number, refresh

REFRESH_S = 60.0
log = structlog.get_logger("reports")


class RollupJob:
    def __init__(
        self,
        engine: AsyncEngine,
        thresholds: Thresholds,
        clock: Callable[[], datetime] = utcnow,
        *,
        every_s: float = REFRESH_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.engine, self.thresholds, self.clock = engine, thresholds, clock
        self.every_s, self.sleep = every_s, sleep

    async def run(self) -> None:
        """A round every `every_s` seconds (the first after one interval: not during the start),
        until cancelled."""
        while True:
            await self.sleep(self.every_s)
            await self.once()

    async def once(self) -> int:
        """One round, the days before the clock's UTC day; -> days computed (0 if the store could
        not be reached: the next round retries, the days stay marked)."""
        try:
            days = await refresh(self.engine, self.thresholds, before_day=day_number(self.clock()))
        except (SQLAlchemyError, OSError) as exc:
            log.warning("report.rollup_failed", error=f"{type(exc).__name__}: {exc}")
            return 0
        if days:
            log.info("report.rollup_refreshed", days=days)
        return days
