"""Monthly report over 1,000,000 calls: SQLite (temp file) and PostgreSQL (throwaway server).

Generates one month (2026-11, Asia/Shanghai) of calls with seed 002's mix: 3 % outbound; of the
inbound 0.5 % blocked, ~16 % IVR-only, ~82 % answered by one of 30 agents, ~2 % unanswered
(abandons, messages, callbacks); a daytime traffic curve; ~3.7 call_events per call (2 IVR steps,
the ACD's offer / answer / no_answer). Bulk-loaded in chunks with the drivers (sqlite3
executemany, asyncpg COPY), then ANALYZEd. Then it times the monthly report (compute_stats, and
compute + HTML) R times, against a baseline measured in the same run: one plain scan of the
month's calls (COUNT(*), SUM(talk_s)). Target: report < 2 s on each database.
PostgreSQL needs root and the postgresql-15 binaries; without them it prints why and skips PG.
Run: .venv/bin/python bench/report_month.py [CALLS] [R]
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from hotline.reports.html import render_html
from hotline.reports.period import month_period, zone
from hotline.reports.report import build_report
from hotline.reports.stats import compute_stats
from hotline.store.db import make_engine, upgrade
from hotline.store.models import Call

TZ = zone("Asia/Shanghai")
PERIOD = month_period(2026, 11, TZ)
CHUNK = 20_000
BASELINE = "baseline: one scan"
AGENTS = [f"{i:03d}" for i in range(1, 31)]
AGENT_NAMES = [(a, f"座席{a}") for a in AGENTS]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 10, 14, 15, 13, 10, 8, 7, 6, 4, 2, 1]
IVR_CATS = {
    "outage_query": 46.3,
    "complaint": 20.7,
    "bill_query": 12.3,
    "policy": 8.5,
    "business": 5.9,
    "survey": 2.4,
    "message": 4.0,
}
AGENT_CATS = {
    "consultation": 21.0,
    "information_query": 29.0,
    "fault_repair": 11.2,
    "new_connection": 0.3,
    "complaint": 0.4,
    "theft_report": 0.3,
    "other": 37.2,
}
UNANSWERED = {"abandoned_queue": 55, "abandoned_ringing": 25, "message_left": 10, "callback_requested": 10}
OUTBOUND = {"answered": 70, "no_answer": 15, "busy": 10, "cancelled": 4, "failed": 1}
CALL_COLS = (
    "uniqueid",
    "direction",
    "trunk",
    "caller_number",
    "dnid",
    "started_at",
    "answered_at",
    "ended_at",
    "outcome",
    "ivr_path",
    "menu_version",
    "business_category",
    "priority",
    "queued_at",
    "agents_rung",
    "ring_time_s",
    "agent_id",
    "agent_extension",
    "talk_started_at",
    "talk_s",
    "survey_score",
)
EVENT_COLS = ("call_uniqueid", "at", "kind", "data")


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _per_hour(total: int) -> list[tuple[datetime, int]]:
    """(local hour start, calls) over the month, summing exactly to `total`."""
    hours = [
        (datetime.combine(d, datetime.min.time(), TZ) + timedelta(hours=h), HOUR_WEIGHTS[h])
        for d in PERIOD.days
        for h in range(24)
    ]
    weight = sum(w for _, w in hours)
    exact = [(t, total * w / weight) for t, w in hours]
    counts = [int(x) for _, x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i][1] - counts[i], reverse=True)[
        : total - sum(counts)
    ]:
        counts[i] += 1
    return [(t, n) for (t, _), n in zip(exact, counts)]


def _call(rng: random.Random, uid: str, t0: datetime, events: list[tuple]) -> tuple:
    s = timedelta(seconds=1)
    row = dict.fromkeys(CALL_COLS)
    row.update(
        uniqueid=uid,
        started_at=t0,
        dnid="95598",
        caller_number=f"139{rng.randrange(10**8):08d}",
        ivr_path="[]",
        priority=0,
        agents_rung=0,
    )
    if rng.random() < 0.03:
        outcome = _pick(rng, OUTBOUND)
        agent = rng.choice(AGENTS)
        talk = rng.lognormvariate(4.5, 0.6) if outcome == "answered" else None
        row.update(
            direction="outbound",
            trunk="outbound",
            outcome=outcome,
            agent_id=agent,
            talk_s=talk,
            ended_at=t0 + s * (20 + (talk or 0)),
        )
        return tuple(row.values())
    row.update(direction="inbound", trunk="PJSIP/fxo-gw")
    r = rng.random()
    if r < 0.005:
        row.update(outcome="blocked", ended_at=t0)
        return tuple(row.values())
    ivr_s = rng.uniform(15, 90)
    row.update(answered_at=t0 + s * 0.4, menu_version="3:ab12cd")
    events += [
        (uid, t0 + s * 2, "ivr_step", '{"node": "main", "key": "1"}'),
        (uid, t0 + s * 9, "ivr_step", '{"node": "sub", "key": "2"}'),
    ]
    if r < 0.007 or r < 0.166:
        category = _pick(rng, IVR_CATS)
        row.update(
            outcome="failed" if r < 0.007 else "ivr_only",
            business_category=category,
            ended_at=t0 + s * ivr_s,
            survey_score=rng.randint(1, 5) if category == "survey" else None,
        )
        row["ivr_path"] = json.dumps([{"node": "main"}, {"node": category}])
        return tuple(row.values())
    queued = t0 + s * ivr_s
    row.update(queued_at=queued, business_category=_pick(rng, AGENT_CATS))
    first, agent = rng.sample(AGENTS, 2)
    if rng.random() < 0.021:
        outcome = _pick(rng, UNANSWERED)
        wait = rng.expovariate(1 / 25)
        events.append((uid, queued + s, "offer", f'{{"agent_id": "{first}"}}'))
        if outcome in ("message_left", "callback_requested"):
            events.append((uid, queued + s * 13, "no_answer", f'{{"agent_id": "{first}"}}'))
        row.update(outcome=outcome, ended_at=queued + s * wait, agents_rung=1)
        return tuple(row.values())
    wait = min(rng.expovariate(1 / 6), 120)
    if rng.random() < 0.1:  # the first agent let it ring 4 times
        events += [
            (uid, queued, "offer", f'{{"agent_id": "{first}"}}'),
            (uid, queued + s * 12, "no_answer", f'{{"agent_id": "{first}"}}'),
        ]
        wait += 12
    talk_at = queued + s * wait
    talk = rng.lognormvariate(5.0, 0.6)
    events += [
        (uid, talk_at - s * 3, "offer", f'{{"agent_id": "{agent}"}}'),
        (uid, talk_at, "answer", f'{{"agent_id": "{agent}"}}'),
    ]
    row.update(
        outcome="agent_answered",
        agent_id=agent,
        agent_extension=f"1{agent}",
        talk_started_at=talk_at,
        talk_s=round(talk, 3),
        ended_at=talk_at + s * talk,
        agents_rung=1 + (wait >= 12),
        ring_time_s=3.0,
        survey_score=rng.randint(3, 5) if rng.random() < 0.3 else None,
    )
    return tuple(row.values())


def generate(total: int):
    """Chunks of (call rows, event rows) in start order; the same data on every run."""
    rng = random.Random(95598)
    calls: list[tuple] = []
    events: list[tuple] = []
    n = 0
    for hour_start, count in _per_hour(total):
        offsets = sorted(rng.uniform(0, 3600) for _ in range(count))
        for off in offsets:
            n += 1
            calls.append(_call(rng, f"b{n}", (hour_start + timedelta(seconds=off)).astimezone(UTC), events))
            if len(calls) == CHUNK:
                yield calls, events
                calls, events = [], []
    if calls:
        yield calls, events


def _sqlite_value(v):
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
            f"接通率 {c.connect_rate:.2%}, service level {c.service_level:.2%}, outbound {stats.outbound_total:,}"
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


def pg_server_class():
    """tests/pg.py's PgServer, or None with the reason printed."""
    if os.geteuid() != 0:
        print("PostgreSQL: skipped (the throwaway server runs as user postgres via runuser: needs root)")
        return None
    if not (Path("/usr/lib/postgresql/15/bin/initdb").is_file() or shutil.which("initdb")):
        print("PostgreSQL: skipped (no postgresql-15 server binaries: apt-get install postgresql-15)")
        return None
    spec = importlib.util.spec_from_file_location(
        "pg", Path(__file__).resolve().parents[1] / "tests" / "pg.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PgServer


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
