"""The queries of the report's agent-desk tables (desk_figures.py says what each counts).

Surveys and harassment warnings aggregate in the database (a row per source and mark, per
number); repairs read one short row per repair order of the period (a year of a county's center
is some tens of thousands), because the median delay needs every delay and SQLite has no
percentile function. Not part of the live figures (the wallboard): only `hotline report` and the
console's report page compute them, after the center's figures.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.orders.models import WorkOrderRow
from hotline.quality.report_table import quality_by_agent
from hotline.reports.desk_figures import (
    DeskTables,
    RepairOrder,
    harassment_rows,
    repair_table,
    survey_tables,
)
from hotline.reports.period import Period
from hotline.store.models import Call, CallEvent, table_of

HARASSMENT_WARNING = "harassment_warning"  # call_events kind, data {"number": <national form>}

_c = table_of(Call).c
_e = table_of(CallEvent).c
_o = table_of(WorkOrderRow).c


async def survey_groups(conn: AsyncConnection, period: Period) -> list[tuple[str | None, int, int]]:
    """(survey_source, survey_score, calls) of the inbound calls started in the period."""
    keys = (_c.survey_source, _c.survey_score)
    stmt = (
        sa.select(*keys, sa.func.count())
        .where(
            _c.direction == "inbound",
            _c.started_at >= period.start,
            _c.started_at < period.end,
            _c.survey_score.is_not(None),
        )
        .group_by(*keys)
    )
    return [(r[0], int(r[1]), int(r[2])) for r in await conn.execute(stmt)]


async def repair_orders(conn: AsyncConnection, period: Period) -> list[RepairOrder]:
    """The repair orders created in the period, with the end of their call (None: no such call)."""
    stmt = (
        sa.select(_o.fault_type, _o.fault_subtype, _o.merged_reports, _o.published_at, _c.ended_at)
        .select_from(table_of(WorkOrderRow).outerjoin(table_of(Call), _c.uniqueid == _o.call_uniqueid))
        .where(_o.kind == "repair", _o.created_at >= period.start, _o.created_at < period.end)
    )
    return [RepairOrder(r[0] or "other", r[1], int(r[2] or 0), r[3], r[4]) for r in await conn.execute(stmt)]


async def harassment_counts(conn: AsyncConnection, period: Period) -> list[tuple[str | None, int]]:
    """(number, calls that heard the warning) for the warnings given in the period."""
    number: Any = _e.data["number"].as_string()
    inner = (
        sa.select(number.label("number"), _e.call_uniqueid.label("uid"))
        .where(_e.kind == HARASSMENT_WARNING, _e.at >= period.start, _e.at < period.end)
        .subquery()
    )
    stmt = sa.select(inner.c.number, sa.func.count(sa.distinct(inner.c.uid))).group_by(inner.c.number)
    return [(r[0], int(r[1])) for r in await conn.execute(stmt)]


async def desk_tables(engine: AsyncEngine, period: Period, *, rollup: bool = False) -> DeskTables:
    """Surveys by scale, repairs by fault type, harassment warnings and the quality checks'
    scores per agent of `period`. `rollup`: the surveys from the report rollup where it is
    current (the others are small: read raw)."""
    from hotline.reports.rollup_read import rolled_survey_groups  # it imports survey_groups from here

    async with engine.connect() as conn:
        surveys = await (rolled_survey_groups if rollup else survey_groups)(conn, period)
        repairs = await repair_orders(conn, period)
        warned = await harassment_counts(conn, period)
    quality = await quality_by_agent(engine, period.start, period.end)
    return DeskTables(survey_tables(surveys), repair_table(repairs), harassment_rows(warned), quality)
