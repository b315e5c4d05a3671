"""Monthly report over 1,000,000 calls: SQLite (temp file) and PostgreSQL (throwaway server).

Generates one month of calls (bench/month_calls.py: seed 002's mix, a daytime traffic curve,
~3.7 call_events per call), bulk-loaded in chunks with the drivers (sqlite3 executemany,
asyncpg COPY), then ANALYZEd. Then it times the monthly report (compute_stats, and compute +
HTML) R times, against a baseline measured in the same run: one plain scan of the month's calls
(COUNT(*), SUM(talk_s)). Target: report < 2 s on each database.
PostgreSQL needs root and the postgresql-15 binaries; without them it prints why and skips PG.
Run: .venv/bin/python bench/report_month.py [CALLS] [R]
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from month_calls import AGENT_NAMES, CALL_COLS, EVENT_COLS, PERIOD, generate

from hotline.reports.html import render_html
from hotline.reports.report import build_report
from hotline.reports.stats import compute_stats
from hotline.store.db import make_engine, upgrade
from hotline.store.models import Call

BASELINE = "baseline: one scan"


class PgServer(Protocol):
    """tests/pg.py's throwaway PostgreSQL server."""

    def start(self) -> None: ...
    def url(self) -> str: ...
    def stop(self) -> None: ...


def _sqlite_value(v: object) -> object:
    return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v


def load_sqlite(path: Path, total: int) -> None:
    db = sqlite3.connect(path)
    calls_sql = f"INSERT INTO calls ({', '.join(CALL_COLS)}) VALUES ({', '.join('?' * len(CALL_COLS))})"
    events_sql = "INSERT INTO call_events (call_uniqueid, at, kind, data) VALUES (?, ?, ?, ?)"
    for calls, events in generate(total):
        with db:
            db.executemany(calls_sql, ([_sqlite_value(v) for v in row] for row in calls))
            db.executemany(events_sql, ([_sqlite_value(v) for v in row] for row in events))
    db.execute("ANALYZE")
    db.close()


async def load_pg(url: str, total: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        for calls, events in generate(total):
            await conn.copy_records_to_table("calls", records=calls, columns=CALL_COLS)
            await conn.copy_records_to_table("call_events", records=events, columns=EVENT_COLS)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def time_report(url: str, runs: int) -> dict[str, list[float]]:
    engine = make_engine(url)
    figures: dict[str, list[float]] = {BASELINE: [], "compute_stats": [], "compute + html": []}
    count = sa.select(sa.func.count(), sa.func.sum(Call.talk_s)).where(
        Call.started_at >= PERIOD.start, Call.started_at < PERIOD.end
    )
    try:
        for _ in range(runs):
            t = time.perf_counter()
            async with engine.connect() as conn:
                n = (await conn.execute(count)).one()[0]
            figures[BASELINE].append(time.perf_counter() - t)
            t = time.perf_counter()
            stats = await compute_stats(engine, PERIOD)
            figures["compute_stats"].append(time.perf_counter() - t)
            t = time.perf_counter()
            render_html(await build_report(engine, PERIOD, company="平安县", agents=AGENT_NAMES))
            figures["compute + html"].append(time.perf_counter() - t)
        c = stats.center
        print(
            f"  month {PERIOD.label}: {n:,} calls, inbound {c.inbound:,}, offered {c.offered:,}, "
            f"接通率 {c.connect_rate:.2%}, service level {c.service_level:.2%}, "
            f"outbound {stats.outbound_total:,}"
        )
    finally:
        await engine.dispose()
    return figures


def show(figures: dict[str, list[float]]) -> None:
    base = statistics.median(figures[BASELINE])
    for name, values in figures.items():
        med = statistics.median(values)
        print(
            f"  {name:24s} median {med:7.3f} s  best {min(values):7.3f} s  x{med / base:5.1f} baseline"
            + ("" if name == BASELINE else f"  target < 2 s: {'met' if med < 2 else 'MISSED'}")
        )


def pg_server_class() -> Callable[[], PgServer] | None:
    """tests/pg.py's PgServer, or None with the reason printed."""
    if os.geteuid() != 0:
        print("PostgreSQL: skipped (the throwaway server runs as user postgres via runuser: needs root)")
        return None
    if not (Path("/usr/lib/postgresql/15/bin/initdb").is_file() or shutil.which("initdb")):
        print("PostgreSQL: skipped (no postgresql-15 server binaries: apt-get install postgresql-15)")
        return None
    path = Path(__file__).resolve().parents[1] / "tests" / "pg.py"
    spec = importlib.util.spec_from_file_location("pg", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    server_class: Callable[[], PgServer] = module.PgServer
    return server_class


async def main(total: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'month.db'}"
        await upgrade(url)
        t = time.perf_counter()
        load_sqlite(Path(tmp) / "month.db", total)
        print(f"SQLite: generated and loaded {total:,} calls in {time.perf_counter() - t:.1f} s")
        show(await time_report(url, runs))
    server_class = pg_server_class()
    if server_class is None:
        return
    server = server_class()
    try:
        server.start()
        url = server.url()
        await upgrade(url)
        t = time.perf_counter()
        await load_pg(url, total)
        print(f"PostgreSQL: generated and loaded {total:,} calls in {time.perf_counter() - t:.1f} s")
        show(await time_report(url, runs))
    finally:
        server.stop()


if __name__ == "__main__":
    asyncio.run(
        main(
            int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 5
        )
    )
