"""`hotline report-rollup [--rebuild [--from D] [--to D]]`: the body of the command (report_cmd.py
declares its options). Computes the report rollup's days (hotline/reports/rollup.py) with the
config's answer target, printing how many and how long."""

from __future__ import annotations

import asyncio
import time
from datetime import date

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hotline.cli.common import err, fail, io_failure
from hotline.reports.figures import Thresholds
from hotline.reports.period import zone
from hotline.reports.rollup import local_days, rebuild, refresh
from hotline.settings import Settings
from hotline.store.db import make_engine


def _days(first: str | None, last: str | None, tz: str) -> tuple[int, int] | None:
    if first is None and last is None:
        return None
    if first is None or last is None:
        raise ValueError("give both --from and --to, or neither (every day that has calls)")
    try:
        return local_days(date.fromisoformat(first.strip()), date.fromisoformat(last.strip()), zone(tz))
    except ValueError as exc:
        raise ValueError(f"--from {first!r} --to {last!r}: {exc}") from None


async def _run(s: Settings, th: Thresholds, full: bool, days: tuple[int, int] | None) -> int:
    engine = make_engine(s.database.url)
    try:
        return await (rebuild(engine, th, days) if full else refresh(engine, th))
    finally:
        await engine.dispose()


def run_rollup(s: Settings, *, rebuild: bool, first: str | None, last: str | None, tz: str) -> None:
    try:
        if not rebuild and (first or last):
            raise ValueError("--from and --to go with --rebuild")
        days = _days(first, last, tz)
        th = Thresholds(answer_target_s=s.answer_target.seconds)
    except ValueError as exc:
        raise fail(str(exc)) from None
    t = time.perf_counter()
    try:
        n = asyncio.run(_run(s, th, rebuild, days))
    except (SQLAlchemyError, OSError) as exc:
        where = make_url(s.database.url).render_as_string(hide_password=True)
        raise io_failure(f"update the report rollup in {where}", exc) from None
    err.print(
        f"report rollup: {n} day(s) computed in {time.perf_counter() - t:.1f} s",
        markup=False,
        highlight=False,
    )
