"""Year report over 10,000,000 calls through the report rollup: SQLite (temp file) and PostgreSQL
(throwaway server).

Generates a year (2025, Asia/Shanghai) of calls with bench/month_calls.py's generator (seed 002's
mix, ~3.7 call_events per call), bulk-loaded in chunks (sqlite3 executemany, asyncpg COPY; the
rollup's dirty-marking triggers fire as in production), ANALYZEd; then times the rollup rebuild
(`hotline report-rollup --rebuild`: every day from the raw rows) and the refresh of one dirty day
(the daemon's periodic work). Then the year report R times: compute_stats through the rollup and
the whole report (build_report: + desk tables, staffing), against baselines measured in the same
run: one plain scan of the year's calls (COUNT(*), SUM(talk_s)), and compute_stats from the raw
rows (once: it scans the year; its figures must equal the rollup's). Target: year report <= 1 s
on each database. The machine may be shared while it runs: timings are noisy.
PostgreSQL needs root and the postgresql-15 binaries; without them it prints why and skips PG.
Run: .venv/bin/python bench/report_year.py [CALLS] [R]
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from month_calls import AGENT_NAMES, CALL_COLS, EVENT_COLS, generate
from report_month import PgServer, _sqlite_value, pg_server_class

from hotline.reports.figures import Thresholds
from hotline.reports.period import year_period, zone
from hotline.reports.report import build_report
from hotline.reports.rollup import day_number, mark_days, rebuild, refresh
from hotline.reports.stats import compute_stats
from hotline.store.db import make_engine, upgrade
from hotline.store.models import Call
from lab.figures_diff import differences

YEAR = year_period(2025, zone("Asia/Shanghai"))
TH = Thresholds()
BASELINE = "baseline: one scan"
TARGET_S = 1.0


async def load(sqlite_path: Path, pg_url: str | None, total: int) -> None:
    """One generation pass into both databases."""
    import asyncpg

    db = sqlite3.connect(sqlite_path)
    calls_sql = f"INSERT INTO calls ({', '.join(CALL_COLS)}) VALUES ({', '.join('?' * len(CALL_COLS))})"
    events_sql = f"INSERT INTO call_events ({', '.join(EVENT_COLS)}) VALUES (?, ?, ?, ?)"
    pg = await asyncpg.connect(pg_url.replace("postgresql+asyncpg", "postgresql")) if pg_url else None
    try:
        for calls, events in generate(total, YEAR):
            with db:
                db.executemany(calls_sql, ([_sqlite_value(v) for v in row] for row in calls))
                db.executemany(events_sql, ([_sqlite_value(v) for v in row] for row in events))
            if pg is not None:
                await pg.copy_records_to_table("calls", records=calls, columns=CALL_COLS)
                await pg.copy_records_to_table("call_events", records=events, columns=EVENT_COLS)
        db.execute("ANALYZE")
        if pg is not None:
            await pg.execute("ANALYZE")
    finally:
        db.close()
        if pg is not None:
            await pg.close()


async def prepare(url: str) -> None:
    engine = make_engine(url)
    try:
        t = time.perf_counter()
        days = await rebuild(engine, TH)
        print(f"  rollup rebuild: {days} days in {time.perf_counter() - t:.1f} s")
        await mark_days(engine, [day_number(YEAR.start) + 180])
        t = time.perf_counter()
        await refresh(engine, TH)
        print(f"  refresh of one dirty day (the daemon's periodic work): {time.perf_counter() - t:.3f} s")
    finally:
        await engine.dispose()


async def time_report(url: str, runs: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    figures: dict[str, list[float]] = {
        BASELINE: [],
        "compute_stats (rollup)": [],
        "build_report (rollup)": [],
    }
    count = sa.select(sa.func.count(), sa.func.sum(Call.talk_s)).where(
        Call.started_at >= YEAR.start, Call.started_at < YEAR.end
    )
    try:
        for _ in range(runs):
            t = time.perf_counter()
            async with engine.connect() as conn:
                n = (await conn.execute(count)).one()[0]
            figures[BASELINE].append(time.perf_counter() - t)
            t = time.perf_counter()
            rolled = await compute_stats(engine, YEAR, TH, AGENT_NAMES, rollup=True)
            figures["compute_stats (rollup)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            await build_report(engine, YEAR, company="平安县", thresholds=TH, agents=AGENT_NAMES)
            figures["build_report (rollup)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        raw = await compute_stats(engine, YEAR, TH, AGENT_NAMES)
        figures["compute_stats (raw rows)"] = [time.perf_counter() - t]
        c = rolled.center
        print(
            f"  year {YEAR.label}: {n:,} calls, inbound {c.inbound:,}, offered {c.offered:,}, "
            f"接通率 {c.connect_rate:.2%}, service level {c.service_level:.2%}, "
            f"outbound {rolled.outbound_total:,}; rollup == raw rows: {not differences(raw, rolled)}"
        )
    finally:
        await engine.dispose()
    return figures


def show(figures: dict[str, list[float]]) -> None:
    base = statistics.median(figures[BASELINE])
    for name, values in figures.items():
        med = statistics.median(values)
        target = (
            ""
            if "rollup" not in name
            else f"  target <= {TARGET_S:g} s: {'met' if med <= TARGET_S else 'MISSED'}"
        )
        times = f"median {med:7.3f} s  best {min(values):7.3f} s"
        print(f"  {name:26s} {times}  x{med / base:6.2f} baseline{target}")


async def main(total: int, runs: int) -> None:
    server_class = pg_server_class()
    server: PgServer | None = server_class() if server_class is not None else None
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        try:
            sqlite_url = f"sqlite+aiosqlite:///{Path(tmp) / 'year.db'}"
            await upgrade(sqlite_url)
            pg_url = None
            if server is not None:
                server.start()
                pg_url = server.url()
                await upgrade(pg_url)
            t = time.perf_counter()
            await load(Path(tmp) / "year.db", pg_url, total)
            both = " into SQLite and PostgreSQL" if pg_url else " into SQLite"
            print(f"generated and loaded {total:,} calls{both} in {time.perf_counter() - t:.1f} s")
            for name, url in (("SQLite", sqlite_url), ("PostgreSQL", pg_url)):
                if url is not None:
                    print(f"{name}:")
                    await prepare(url)
                    show(await time_report(url, runs))
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000,
            int(sys.argv[2]) if len(sys.argv) > 2 else 3,
        )
    )
