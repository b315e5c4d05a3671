"""Reading a period's figures from the rollup where it can, from the raw rows elsewhere.

`split` cuts a period into the whole UTC days whose rollup is current (ready, not dirty, computed
with the report's thresholds: hotline/reports/rollup.py) and the rest: the partial days at the
period's edges (local midnight is not UTC midnight), today (dirty while calls come in), days
never computed. The quarter hours, kept per quarter hour, come from the rollup for the clean
days at the edges too: only the per-day groups read the edges raw. Each `rolled_*` function
has the signature and result of the raw query it stands for: it sums the rollup rows of the
clean days and adds the raw query over each of the other stretches, so a figure is the same
whichever way it was read (the rollup rows ARE the raw query's result per day). Each reads its
own split, like the raw queries read on their own connections: a day that turns dirty meanwhile
is read as it was a moment earlier.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.reports.desk_queries import survey_groups
from hotline.reports.figures import Counts, Thresholds
from hotline.reports.period import SLOT_S, Period
from hotline.reports.queries import AnsweredGroup, OtherGroup, agent_offers, answered_groups, other_groups
from hotline.reports.slot_query import as_float, as_int, center_slots
from hotline.reports.sql_time import number
from hotline.store.models import table_of
from hotline.store.rollup_models import (
    DAY_S,
    RollupAnswered,
    RollupDay,
    RollupOffers,
    RollupOther,
    RollupSlot,
    RollupSurveys,
)

_d = table_of(RollupDay).c
HOUR_S = 3600
SLOTS_PER_HOUR = HOUR_S // SLOT_S
COUNT_FIELDS = tuple(f.name for f in fields(Counts))  # report_rollup_slots has a column for each
AnsweredKey = tuple[str | None, str | None, str | None]


@dataclass(frozen=True)
class Split:
    clean: list[tuple[int, int]]  # runs [first, last) of UTC days read from the rollup
    raw: list[Period]  # the rest of the period, read from the raw rows
    lo_s: int = 0  # the rollup covers [lo_s, hi_s) (epoch seconds) of its clean days only
    hi_s: int = 0


def _at(epoch_s: int) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)


def _runs(days: Sequence[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day:
            runs[-1] = (runs[-1][0], day + 1)
        else:
            runs.append((day, day + 1))
    return runs


async def split(conn: AsyncConnection, period: Period, th: Thresholds | None, grain_s: int = DAY_S) -> Split:
    """`th` None: the figure does not depend on the thresholds (any computed day will do).
    `grain_s`: the rollup rows' own span (DAY_S; SLOT_S for the quarter hours: then the clean days
    at the period's edges are read from the rollup too, for the quarter hours inside it)."""
    lo_s = math.ceil(period.start.timestamp() / grain_s) * grain_s
    hi_s = math.floor(period.end.timestamp() / grain_s) * grain_s
    if lo_s >= hi_s:
        return Split([], [period])
    where = [_d.day >= lo_s // DAY_S, _d.day < -(-hi_s // DAY_S), _d.ready, sa.not_(_d.dirty)]
    if th is not None:
        where += [_d.answer_target_s == th.answer_target_s, _d.short_abandon_s == th.short_abandon_s]
    clean = _runs([int(d) for d in await conn.scalars(sa.select(_d.day).where(*where).order_by(_d.day))])
    raw: list[Period] = []
    cursor = period.start
    for lo, hi in clean:
        if _at(max(lo * DAY_S, lo_s)) > cursor:
            raw.append(Period(cursor, _at(max(lo * DAY_S, lo_s)), period.tz))
        cursor = _at(min(hi * DAY_S, hi_s))
    if cursor < period.end:
        raw.append(Period(cursor, period.end, period.tz))
    return Split(clean, raw, lo_s, hi_s)


def _in_runs(table: sa.Table, runs: Sequence[tuple[int, int]]) -> sa.ColumnElement[bool]:
    return sa.or_(*(sa.and_(table.c.day >= lo, table.c.day < hi) for lo, hi in runs))


def _offset(tz: ZoneInfo, epoch_s: int) -> float:
    offset = datetime.fromtimestamp(epoch_s, tz).utcoffset()
    return offset.total_seconds() if offset is not None else 0.0


def _whole_local_hours(tz: ZoneInfo, runs: Sequence[tuple[int, int]]) -> bool:
    """Whether each UTC hour of the days `runs` lies within one local hour: the zone's offset is
    whole hours and does not change inside an hour. Checked per day (its first and last second),
    and per hour in a day whose offset changes (the zone's once-a-year transitions)."""
    for lo, hi in runs:
        for day in range(lo, hi):
            first, last = _offset(tz, day * DAY_S), _offset(tz, (day + 1) * DAY_S - 1)
            if first % HOUR_S or last % HOUR_S:
                return False
            if first != last:
                for hour in range(day * 24, day * 24 + 24):
                    if _offset(tz, hour * HOUR_S) != _offset(tz, (hour + 1) * HOUR_S - 1):
                        return False
    return True


def _rollup_slots(period: Period, parts: Split) -> sa.Select[Any]:
    """The rollup's quarter hours of the clean days inside the period; in a zone of whole-hour
    offsets summed per UTC hour
    under the hour's first quarter (a year: 8,760 rows, not 35,040; each hour is in one local
    hour, which is all the report spreads them by)."""
    t = table_of(RollupSlot)
    runs = parts.clean
    where = sa.and_(_in_runs(t, runs), t.c.slot >= parts.lo_s // SLOT_S, t.c.slot < parts.hi_s // SLOT_S)
    if not _whole_local_hours(period.tz, runs):
        return sa.select(t.c.slot, *(t.c[name] for name in COUNT_FIELDS)).where(where)
    hour = t.c.slot // number(SLOTS_PER_HOUR)
    stmt = sa.select(hour * number(SLOTS_PER_HOUR), *(sa.func.sum(t.c[name]) for name in COUNT_FIELDS))
    return stmt.where(where).group_by(hour)


async def rolled_center_slots(conn: AsyncConnection, period: Period, th: Thresholds) -> dict[int, Counts]:
    """slot_query.center_slots, from the rollup where it can (see _rollup_slots: a whole-hour
    zone's rolled-up hours come as their first quarter)."""
    parts = await split(conn, period, th, SLOT_S)
    out: dict[int, Counts] = {}
    if parts.clean:
        for row in await conn.execute(_rollup_slots(period, parts)):
            out[int(row[0])] = Counts(*row[1:])  # sums of INTEGER / REAL columns: int / float
    for p in parts.raw:
        for slot, counts in (await center_slots(conn, p, th)).items():
            out[slot] = out[slot] + counts if slot in out else counts
    return out


async def rolled_answered_groups(conn: AsyncConnection, period: Period) -> dict[AnsweredKey, AnsweredGroup]:
    """queries.answered_groups, from the rollup where it can."""
    parts = await split(conn, period, None)
    out: dict[AnsweredKey, AnsweredGroup] = {}

    def add(key: AnsweredKey, g: AnsweredGroup) -> None:
        o = out.get(key, AnsweredGroup(0, 0, 0.0, 0, 0))
        out[key] = AnsweredGroup(
            o.calls + g.calls,
            o.talk_n + g.talk_n,
            o.talk_sum_s + g.talk_sum_s,
            o.survey_n + g.survey_n,
            o.survey_sum + g.survey_sum,
        )

    if parts.clean:
        t = table_of(RollupAnswered)
        keys = (t.c.agent_id, t.c.agent_category, t.c.business_category)
        sums = (sa.func.sum(t.c[n]) for n in ("calls", "talk_n", "talk_sum_s", "survey_n", "survey_sum"))
        stmt = sa.select(*keys, *sums).where(_in_runs(t, parts.clean)).group_by(*keys)
        for r in await conn.execute(stmt):
            add(
                (r[0], r[1], r[2]),
                AnsweredGroup(as_int(r[3]), as_int(r[4]), as_float(r[5]), as_int(r[6]), as_int(r[7])),
            )
    for p in parts.raw:
        for key, g in (await answered_groups(conn, p)).items():
            add(key, g)
    return out


async def rolled_other_groups(conn: AsyncConnection, period: Period) -> list[OtherGroup]:
    """queries.other_groups, from the rollup where it can (a key may come more than once: the
    report adds them up)."""
    parts = await split(conn, period, None)
    out: list[OtherGroup] = []
    if parts.clean:
        t = table_of(RollupOther)
        keys = (t.c.direction, t.c.business_category, t.c.outcome, t.c.queued)
        stmt = (
            sa.select(*keys, sa.func.sum(t.c.calls), sa.func.sum(t.c.talk_sum_s))
            .where(_in_runs(t, parts.clean))
            .group_by(*keys)
        )
        out += [
            OtherGroup(r[0], r[1], r[2], bool(r[3]), as_int(r[4]), as_float(r[5]))
            for r in await conn.execute(stmt)
        ]
    for p in parts.raw:
        out += await other_groups(conn, p)
    return out


async def rolled_agent_offers(conn: AsyncConnection, period: Period) -> dict[str, dict[str, int]]:
    """queries.agent_offers, from the rollup where it can."""
    parts = await split(conn, period, None)
    out: dict[str, dict[str, int]] = {}

    def add(agent_id: str, offer: int, no_answer: int) -> None:
        o = out.setdefault(agent_id, {"offer": 0, "no_answer": 0})
        o["offer"] += offer
        o["no_answer"] += no_answer

    if parts.clean:
        t = table_of(RollupOffers)
        stmt = (
            sa.select(t.c.agent_id, sa.func.sum(t.c.offers), sa.func.sum(t.c.no_answer))
            .where(_in_runs(t, parts.clean))
            .group_by(t.c.agent_id)
        )
        for r in await conn.execute(stmt):
            add(str(r[0]), as_int(r[1]), as_int(r[2]))
    for p in parts.raw:
        for agent_id, o in (await agent_offers(conn, p)).items():
            add(agent_id, o.get("offer", 0), o.get("no_answer", 0))
    return out


async def rolled_survey_groups(conn: AsyncConnection, period: Period) -> list[tuple[str | None, int, int]]:
    """desk_queries.survey_groups, from the rollup where it can (a key may come more than once)."""
    parts = await split(conn, period, None)
    out: list[tuple[str | None, int, int]] = []
    if parts.clean:
        t = table_of(RollupSurveys)
        keys = (t.c.survey_source, t.c.survey_score)
        stmt = sa.select(*keys, sa.func.sum(t.c.calls)).where(_in_runs(t, parts.clean)).group_by(*keys)
        out += [(r[0], int(r[1]), as_int(r[2])) for r in await conn.execute(stmt)]
    for p in parts.raw:
        out += await survey_groups(conn, p)
    return out
