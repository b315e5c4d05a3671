"""CallRecorder write throughput into SQLite (WAL), sustained over N calls (start + end each).

Two recorder runs, then the baseline, all on fresh files in a temp dir, in this run:
  adjacent - each call's start and end are enqueued together (they meet in one batch: 1 INSERT)
  overlap  - K calls are in progress at any time: call i starts when call i-K ends (as on a busy
             line: starts and ends land in different batches: 1 INSERT + 1 UPDATE per call)
  baseline - raw sqlite3: executemany INSERT of the same final rows, one transaction per
             MAX_BATCH / 2 calls (the recorder's batch: MAX_BATCH items, a start and an end per
             call), same PRAGMAs (WAL, synchronous=NORMAL)
The producer enqueues 1,000 calls, then yields to the event loop, until N; the clock stops when
flush() returns (everything committed). Each database is then checked from a fresh sqlite3
connection: WAL mode, N rows, every call ended (the run fails otherwise). Target: >= 10,000
calls/s. With --profile, the overlap run is profiled (cProfile, top functions by cumulative time).
Run: .venv/bin/python bench/recorder_throughput.py [N] [--profile]
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import pstats
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hotline.store import CallRecorder
from hotline.store.db import SQLITE_PRAGMAS, make_engine, upgrade
from hotline.store.recorder import MAX_BATCH

T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
BURST = 1_000
K_IN_PROGRESS = 2_000
PATH = [
    {"node": "main", "key": "2", "at": "2026-11-23T08:00:05+08:00"},
    {"node": "outage", "key": "0", "at": "2026-11-23T08:00:12+08:00"},
]


def start_fields(i: int) -> dict[str, Any]:
    return dict(
        direction="inbound",
        started_at=T0 + timedelta(seconds=i * 0.01),
        caller_number=f"139{i:08d}",
        caller_name="",
        dnid="95598",
        trunk="PJSIP/fxo-gw-00000001",
    )


def end_fields(i: int) -> dict[str, Any]:
    t = T0 + timedelta(seconds=i * 0.01)
    return dict(
        ended_at=t + timedelta(seconds=200),
        outcome="agent_answered",
        answered_at=t,
        ivr_path=PATH,
        menu_version="3:ab12cd",
        business_category="outage_query",
        queued_at=t + timedelta(seconds=12),
        agents_rung=1,
        ring_time_s=4.0,
        agent_id=f"{i % 30:03d}",
        agent_extension=f"1{i % 30:03d}",
        talk_started_at=t + timedelta(seconds=20),
        talk_s=180.0,
    )


async def run_recorder(url: str, n: int, overlap: int) -> float:
    await upgrade(url)
    engine = make_engine(url)
    recorder = CallRecorder(engine)
    recorder.start()
    try:
        t = time.perf_counter()
        for i in range(n + overlap):
            if i < n:
                recorder.call_started(f"u{i}", **start_fields(i))
            if i >= overlap:
                recorder.call_ended(f"u{i - overlap}", **end_fields(i - overlap))
            if i % BURST == BURST - 1:
                await asyncio.sleep(0)
        await recorder.flush()
        elapsed = time.perf_counter() - t
    finally:
        await recorder.close()
        await engine.dispose()
    return elapsed


def _text(v: object) -> object:
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return json.dumps(v) if isinstance(v, list) else v


def run_baseline(path: Path, n: int) -> float:
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    db = sqlite3.connect(path)
    for pragma in SQLITE_PRAGMAS:
        db.execute(pragma)
    columns = ["uniqueid", *start_fields(0), *end_fields(0)]
    sql = f"INSERT INTO calls ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    per_transaction = MAX_BATCH // 2
    t = time.perf_counter()
    for lo in range(0, n, per_transaction):
        rows = [
            [f"u{i}", *map(_text, start_fields(i).values()), *map(_text, end_fields(i).values())]
            for i in range(lo, min(n, lo + per_transaction))
        ]
        with db:
            db.executemany(sql, rows)
    elapsed = time.perf_counter() - t
    db.close()
    return elapsed


def check_written(path: Path, n: int) -> None:
    """What was timed is on disk: WAL mode, one row per call, every call ended."""
    db = sqlite3.connect(path)
    try:
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        rows, ended = db.execute("SELECT count(*), count(outcome) FROM calls").fetchone()
    finally:
        db.close()
    if (mode, rows, ended) != ("wal", n, n):
        raise SystemExit(
            f"{path.name}: journal_mode={mode}, {rows} rows, {ended} ended; expected wal, {n}, {n}"
        )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    profile = "--profile" in sys.argv
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:

        def url(name: str) -> str:
            return f"sqlite+aiosqlite:///{Path(tmp) / name}"

        adjacent = asyncio.run(run_recorder(url("adjacent.db"), n, 0))
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        overlap = asyncio.run(run_recorder(url("overlap.db"), n, K_IN_PROGRESS))
        if profiler:
            profiler.disable()
        base = run_baseline(Path(tmp) / "baseline.db", n)
        for name in ("adjacent.db", "overlap.db", "baseline.db"):
            check_written(Path(tmp) / name, n)
    print(f"{n:,} calls (start + end each) into SQLite WAL, recorder MAX_BATCH {MAX_BATCH} items")
    print(f"  baseline raw sqlite3 executemany   {n / base:10,.0f} calls/s  ({base:6.2f} s)")
    for name, elapsed in (
        ("recorder, start+end adjacent", adjacent),
        (f"recorder, {K_IN_PROGRESS:,} in progress", overlap),
    ):
        rate = n / elapsed
        print(
            f"  {name:33s}  {rate:10,.0f} calls/s  ({elapsed:6.2f} s)  "
            f"baseline/recorder x{elapsed / base:5.1f}"
            f"  target >= 10,000/s: {'met' if rate >= 10_000 else 'MISSED'}"
        )
    if profiler:
        print("  (the in-progress run was timed under cProfile: its figure is not comparable)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
