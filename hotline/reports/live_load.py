"""The live figures' one load at start (and the chart's last-week hours), from the store.

`load_day` reads a day so far with the report's own queries (stats.compute_stats: center, hours,
agents, outbound), plus the day's calls still open (their start rows, so that their End applies
like a live call's), the day's longest wait, and the ACD's `answer` / `queued` events of the
rolling windows. A handful of queries whatever the number of calls; afterwards the figures go on
from the recorder's items (live_day.DayFigures.apply). Load when nothing is being written that the
load could miss and the items could not bring (at daemon start, before calls are taken, with the
recorder flushed), or again after something wrote to the store around the recorder (the CDR
ledger reconciliation inserting fallback calls).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.reports.figures import DEFAULT_THRESHOLDS, Counts, Thresholds
from hotline.reports.live_day import HOUR, DayFigures
from hotline.reports.live_records import AgentDay, DaySoFar, data_number
from hotline.reports.period import Period
from hotline.reports.slot_query import ABANDONED, answered_condition, as_float, center_slots
from hotline.reports.sql_time import seconds_between
from hotline.reports.stats import AgentRow, compute_stats
from hotline.store.models import Call, CallEvent, table_of
from hotline.store.utc_datetime import require_aware

_CALLS = table_of(Call)
_c = _CALLS.c
_e = table_of(CallEvent).c


def _in_day(period: Period) -> tuple[sa.ColumnElement[bool], ...]:
    return _c.started_at >= period.start, _c.started_at < period.end


async def _open_calls(conn: AsyncConnection, period: Period) -> list[dict[str, Any]]:
    """The day's calls without an outcome yet, as full rows."""
    stmt = sa.select(_CALLS).where(*_in_day(period), _c.outcome.is_(None))
    return [dict(row._mapping) for row in await conn.execute(stmt)]


async def _longest_wait(conn: AsyncConnection, period: Period) -> float | None:
    """The day's longest wait of an inbound call: queue to answer, or queue to hang-up for an abandon."""
    dialect = conn.dialect.name
    wait = sa.case(
        (answered_condition(), seconds_between(_c.talk_started_at, _c.queued_at, dialect)),
        (_c.outcome.in_(ABANDONED), seconds_between(_c.ended_at, _c.queued_at, dialect)),
        else_=sa.null(),
    )
    stmt = sa.select(sa.func.max(wait)).where(_c.direction == "inbound", *_in_day(period))
    value = await conn.scalar(stmt)
    return None if value is None else as_float(value)


async def _events(conn: AsyncConnection, kind: str, since: datetime, until: datetime) -> list[Any]:
    stmt = (
        sa.select(_e.at, _e.data)
        .where(_e.kind == kind, _e.at >= since, _e.at <= until)
        .order_by(_e.at, _e.id)
    )
    return list(await conn.execute(stmt))


def _agent_day(row: AgentRow) -> AgentDay:
    return AgentDay(
        row.offered, row.no_answer, row.answered, row.talk_n, row.talk_sum_s, row.survey_n, row.survey_sum
    )


async def load_day(
    engine: AsyncEngine,
    period: Period,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    agents: Sequence[tuple[str, str | None]] = (),
    *,
    now: datetime,
    window: timedelta = timedelta(minutes=30),
) -> DayFigures:
    """`period`'s figures so far, ready for the recorder's items. `agents` = (工号, name) of the
    configured agents (each gets a row); `now` (aware, the caller's clock) ends the rolling
    windows: answers of the last `window`, queue arrivals of the last hour."""
    require_aware(now, "now")
    loaded = await compute_stats(engine, period, thresholds, agents, now=now)
    async with engine.connect() as conn:
        open_calls = await _open_calls(conn, period)
        longest = await _longest_wait(conn, period)
        answers = await _events(conn, "answer", now - window, now)
        queued = await _events(conn, "queued", now - HOUR, now)
    figures = DayFigures(period, thresholds, agents, window=window)
    figures.restore(
        DaySoFar(
            center=loaded.center,
            by_hour=dict(loaded.by_hour),
            agents={row.agent_id: _agent_day(row) for row in loaded.agents},
            outbound_outcomes=loaded.outbound_outcomes,
            outbound_talk_s=loaded.outbound_talk_s,
            longest_wait_s=longest,
            open_calls=open_calls,
            answers=[(at, data_number(data, "wait_s")) for at, data in answers],
            queued=[at for at, _data in queued],
        )
    )
    return figures


async def load_hourly(
    engine: AsyncEngine, period: Period, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[Counts]:
    """Inbound Counts per local hour 0..23 of `period` (a day: e.g. the same weekday last week,
    `day_period(today - timedelta(days=7), tz)`), for the chart and the staffing advice."""
    async with engine.connect() as conn:
        slots = await center_slots(conn, period, thresholds)
    hours = [Counts() for _ in range(24)]
    for slot, counts in slots.items():
        _day, hour = period.local_hour_of_slot(slot)
        hours[hour] = hours[hour] + counts
    return hours
