"""Computing the report rollup (tables: hotline/store/rollup_models.py; reading: rollup_read.py).

A day's rollup rows are what the raw report queries return for that one UTC day: the same
functions (slot_query.center_slots, queries.answered_groups / other_groups / agent_offers,
desk_queries.survey_groups) over [day, day + 1), so each figure has one SQL definition.

`refresh` computes the days that need it: dirty ones (a write changed them: the triggers of
migration 0012), those never computed (`ready` false) and those computed with other thresholds
(the daemon's rounds only those before the day still going on: rollup_job.py).
It first claims them (dirty := false, ready := false, claims + 1, committed), then computes each
and writes it in its own transaction: a write that commits after the claim marks its day dirty
again, so the next refresh sees it. Two refreshes at once (the daemon's and the command's): the
day row is locked while its rows are replaced, and a refresh whose claim is no longer the day's
last writes nothing (the later claim read newer rows), so old figures never replace new ones.
`rebuild` marks every day of a range for computing, then refreshes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.reports.desk_queries import survey_groups
from hotline.reports.figures import Thresholds
from hotline.reports.period import Period, zone
from hotline.reports.queries import agent_offers, answered_groups, other_groups
from hotline.reports.slot_query import center_slots
from hotline.store.models import Call, table_of
from hotline.store.rollup_models import (
    DAY_S,
    RollupAnswered,
    RollupDay,
    RollupOffers,
    RollupOther,
    RollupSlot,
    RollupSurveys,
)

UTC_ZONE = zone("UTC")
MARK_CHUNK = 1000  # days per upsert statement (4 parameters each; SQLite allows 32766)
_d = table_of(RollupDay)
GROUP_TABLES = tuple(
    table_of(m) for m in (RollupSlot, RollupAnswered, RollupOther, RollupOffers, RollupSurveys)
)


def day_number(when: datetime) -> int:
    """The UTC day (epoch seconds // 86400) of an aware datetime."""
    return int(when.timestamp() // DAY_S)


def day_period(day: int) -> Period:
    """[day, day + 1) in UTC."""
    start = datetime.fromtimestamp(day * DAY_S, UTC)
    return Period(start, start + timedelta(days=1), UTC_ZONE, "custom", start.date().isoformat())


def _needs_computing(th: Thresholds) -> sa.ColumnElement[bool]:
    return sa.or_(
        _d.c.dirty,
        sa.not_(_d.c.ready),
        _d.c.answer_target_s.is_distinct_from(th.answer_target_s),
        _d.c.short_abandon_s.is_distinct_from(th.short_abandon_s),
    )


async def _claim(engine: AsyncEngine, th: Thresholds, before_day: int | None = None) -> list[tuple[int, int]]:
    """-> (day, its claim number) of the days that need computing (before `before_day`, if
    given), claimed."""
    async with engine.begin() as conn:
        stmt = sa.select(_d.c.day).where(_needs_computing(th)).order_by(_d.c.day).with_for_update()
        if before_day is not None:
            stmt = stmt.where(_d.c.day < before_day)
        days = [int(d) for d in await conn.scalars(stmt)]
        if days:
            claimed = sa.update(_d).where(_d.c.day.in_(days))
            await conn.execute(claimed.values(dirty=False, ready=False, claims=_d.c.claims + 1))
            numbers = await conn.execute(sa.select(_d.c.day, _d.c.claims).where(_d.c.day.in_(days)))
            return sorted((int(d), int(n)) for d, n in numbers)
    return []


async def _figures(engine: AsyncEngine, day: int, th: Thresholds) -> dict[sa.Table, list[dict[str, Any]]]:
    period = day_period(day)
    async with engine.connect() as conn:
        slots = await center_slots(conn, period, th)
        answered = await answered_groups(conn, period)
        others = await other_groups(conn, period)
        offers = await agent_offers(conn, period)
        surveys = await survey_groups(conn, period)
    t = {m: table_of(m) for m in (RollupSlot, RollupAnswered, RollupOther, RollupOffers, RollupSurveys)}
    return {
        t[RollupSlot]: [{"slot": s, "day": day, **asdict(c)} for s, c in slots.items()],
        t[RollupAnswered]: [
            {"day": day, "agent_id": k[0], "agent_category": k[1], "business_category": k[2], **asdict(g)}
            for k, g in answered.items()
        ],
        t[RollupOther]: [{"day": day, **asdict(g), "business_category": g.category} for g in others],
        t[RollupOffers]: [
            {"day": day, "agent_id": a, "offers": o.get("offer", 0), "no_answer": o.get("no_answer", 0)}
            for a, o in offers.items()
        ],
        t[RollupSurveys]: [
            {"day": day, "survey_source": src, "survey_score": score, "calls": n} for src, score, n in surveys
        ],
    }


def _columns_of(table: sa.Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = set(table.c.keys())
    return [{k: v for k, v in row.items() if k in names} for row in rows]


async def compute_day(engine: AsyncEngine, day: int, claim: int, th: Thresholds) -> bool:
    """Replace day `day`'s rollup rows by the raw queries' figures and mark it ready, unless
    another refresh claimed the day since our claim number `claim` (it computes newer figures);
    -> whether the rows were written."""
    figures = await _figures(engine, day, th)
    async with engine.begin() as conn:
        now = await conn.scalar(sa.select(_d.c.claims).where(_d.c.day == day).with_for_update())
        if now != claim:
            return False
        for table in GROUP_TABLES:
            await conn.execute(sa.delete(table).where(table.c.day == day))
            if figures[table]:
                await conn.execute(sa.insert(table), _columns_of(table, figures[table]))
        await conn.execute(
            sa.update(_d)
            .where(_d.c.day == day)
            .values(ready=True, answer_target_s=th.answer_target_s, short_abandon_s=th.short_abandon_s)
        )
    return True


async def refresh(
    engine: AsyncEngine,
    th: Thresholds,
    progress: Callable[[int, int], None] | None = None,
    *,
    before_day: int | None = None,
) -> int:
    """Compute every day that needs it (see the module docstring), only those before day number
    `before_day` if given (the daemon's rounds leave the day still going on); -> how many days."""
    days = await _claim(engine, th, before_day)
    for i, (day, claim) in enumerate(days):
        await compute_day(engine, day, claim, th)
        if progress is not None:
            progress(i + 1, len(days))
    return len(days)


def _upsert(conn: AsyncConnection) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(_d)


async def mark_days(engine: AsyncEngine, days: Iterable[int]) -> None:
    """Mark `days` for computing (adding the rows of days not yet listed)."""
    rows = [{"day": d, "dirty": True, "ready": False, "claims": 0} for d in days]
    async with engine.begin() as conn:
        for i in range(0, len(rows), MARK_CHUNK):
            stmt = _upsert(conn).values(rows[i : i + MARK_CHUNK])
            await conn.execute(stmt.on_conflict_do_update(index_elements=[_d.c.day], set_={"dirty": True}))


async def data_days(engine: AsyncEngine) -> tuple[int, int] | None:
    """The first and last UTC day that hold calls (None: no call at all)."""
    c = table_of(Call).c
    async with engine.connect() as conn:
        first, last = (
            await conn.execute(sa.select(sa.func.min(c.started_at), sa.func.max(c.started_at)))
        ).one()
    return None if first is None else (day_number(first), day_number(last))


async def rebuild(
    engine: AsyncEngine,
    th: Thresholds,
    days: tuple[int, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute the UTC days `days` = (first, last), both included (None: every day from the first
    call to the last), and whatever else needs it; -> days computed. Running it twice gives the
    same rows."""
    if days is not None and days[0] > days[1]:
        raise ValueError(f"rollup rebuild: the first day {days[0]} is after the last {days[1]}")
    span = days if days is not None else await data_days(engine)
    if span is not None:
        await mark_days(engine, range(span[0], span[1] + 1))
    return await refresh(engine, th, progress)


def local_days(first: date, last: date, tz: ZoneInfo) -> tuple[int, int]:
    """The UTC days that hold the local days `first`..`last` (in zone `tz`)."""
    if first > last:
        raise ValueError(f"--from {first} is after --to {last}")
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz) - timedelta(microseconds=1)
    return day_number(start), day_number(end)
