"""A year of generated calls (2025, Asia/Shanghai) written straight into a migrated SQLite store with
sqlite3 executemany: enough that the year report takes a measurable while (the off-loop test).

The mix is bench/month_calls.py's in short: ~16 % IVR-only, ~82 % answered by one of 30 agents,
~2 % abandoned, a daytime curve; the same seed every run.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hotline.reports.period import year_period, zone

TZ = zone("Asia/Shanghai")
YEAR = 2025
PERIOD = year_period(YEAR, TZ)
AGENTS = [f"{i:03d}" for i in range(1, 31)]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 10, 14, 15, 13, 10, 8, 7, 6, 4, 2, 1]
COLS = (
    "uniqueid",
    "direction",
    "started_at",
    "answered_at",
    "ended_at",
    "outcome",
    "business_category",
    "queued_at",
    "agent_id",
    "talk_started_at",
    "talk_s",
)
S = timedelta(seconds=1)


def _ts(t: datetime | None) -> str | None:
    return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _call(rng: random.Random, n: int, t0: datetime) -> tuple[object, ...]:
    r = rng.random()
    ivr = rng.uniform(15, 90)
    if r < 0.16:
        return (f"y{n}", "inbound", _ts(t0), _ts(t0), _ts(t0 + ivr * S), "ivr_only", "outage_query")
    queued = t0 + ivr * S
    if r < 0.18:
        end = queued + rng.expovariate(1 / 25) * S
        row = (f"y{n}", "inbound", _ts(t0), _ts(t0), _ts(end), "abandoned_queue", "consultation")
        return (*row, _ts(queued))
    talk_at = queued + min(rng.expovariate(1 / 6), 120) * S
    talk = rng.lognormvariate(5.0, 0.6)
    return (
        f"y{n}",
        "inbound",
        _ts(t0),
        _ts(t0),
        _ts(talk_at + talk * S),
        "agent_answered",
        "information_query",
        _ts(queued),
        rng.choice(AGENTS),
        _ts(talk_at),
        round(talk, 3),
    )


def write_year(path: Path, calls_per_day: int) -> int:
    """`calls_per_day` calls on each day of 2025 into the migrated SQLite store at `path`."""
    rng = random.Random(95598)
    weight = sum(HOUR_WEIGHTS)
    rows: list[tuple[object, ...]] = []
    for day in PERIOD.days:
        midnight = datetime.combine(day, datetime.min.time(), TZ)
        for hour, w in enumerate(HOUR_WEIGHTS):
            for _ in range(calls_per_day * w // weight):
                t0 = midnight + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
                row = _call(rng, len(rows), t0)
                rows.append(row + (None,) * (len(COLS) - len(row)))
    db = sqlite3.connect(path)
    try:
        with db:
            db.executemany(
                f"INSERT INTO calls ({', '.join(COLS)}) VALUES ({', '.join('?' * len(COLS))})", rows
            )
        db.execute("ANALYZE")
    finally:
        db.close()
    return len(rows)
