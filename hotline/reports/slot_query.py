"""The center's inbound Counts per UTC quarter hour: the report's main (and costliest) query.

Same aggregates on both databases (COUNT/SUM ... FILTER (WHERE ...)), two shapes:
- PostgreSQL: one scan, GROUP BY the quarter hour (hash aggregate).
- SQLite: it has no hash aggregate, and sorting a month of rows for a GROUP BY costs more than
  the aggregates themselves; so a recursive CTE lists the period's quarter hours and a correlated
  subquery aggregates each one over its own range of `ix_calls_started_at` (already in order, no
  sort). The subquery returns its aggregates as one json_array().
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.period import SLOT_S, Period
from hotline.reports.sql_time import (
    epoch_slot,
    number,
    seconds_between,
    sqlite_slot_bounds,
    wait_at_most,
    wait_less_than,
)
from hotline.store.models import Call
from hotline.store.utc_datetime import UTCDateTime

ABANDONED = ("abandoned_queue", "abandoned_ringing")
AFTER_TRANSFER_ONLY = ("agent_answered", *ABANDONED)  # outcomes that imply the caller was queued

_c = Call.__table__.c


FALLBACK = "fallback"  # the fallback dialplan rang the agents directly (hotline.store.ledger)


def offered_condition() -> sa.ColumnElement[bool]:
    return sa.and_(
        _c.outcome.is_not(None),
        _c.outcome != "blocked",
        sa.or_(_c.queued_at.is_not(None), _c.outcome.in_((*AFTER_TRANSFER_ONLY, FALLBACK))),
    )


def answered_condition() -> sa.ColumnElement[bool]:
    """Answered by an agent: through the ACD, or in the fallback's ring-all (its agent is known)."""
    return sa.or_(_c.outcome == "agent_answered", sa.and_(_c.outcome == FALLBACK, _c.agent_id.is_not(None)))


def _aggregates(dialect: str, th: Thresholds) -> dict[str, sa.ColumnElement[Any]]:
    """Counts field -> aggregate over inbound calls."""
    answered = answered_condition()
    abandoned = _c.outcome.in_(ABANDONED)
    wait_answer = seconds_between(_c.talk_started_at, _c.queued_at, dialect)
    target, short = th.answer_target_s, th.short_abandon_s
    count = sa.func.count
    aggs: dict[str, sa.ColumnElement[Any]] = {
        "inbound": count(),
        "blocked": count().filter(_c.outcome == "blocked"),
        "in_progress": count().filter(_c.outcome.is_(None)),
        "offered": count().filter(offered_condition()),
        "answered": count().filter(answered),
        "answered_within": count().filter(
            answered, wait_at_most(_c.talk_started_at, _c.queued_at, target, dialect)
        ),
        "abandoned": count().filter(abandoned),
        "abandoned_within": count().filter(
            abandoned, wait_at_most(_c.ended_at, _c.queued_at, target, dialect)
        ),
        "short_abandoned": count().filter(
            abandoned, wait_less_than(_c.ended_at, _c.queued_at, short, dialect)
        ),
        "wait_n": count().filter(answered, _c.talk_started_at.is_not(None), _c.queued_at.is_not(None)),
        "wait_sum_s": sa.func.sum(wait_answer).filter(answered),
        "talk_n": count(_c.talk_s).filter(answered),
        "talk_sum_s": sa.func.sum(_c.talk_s).filter(answered),
        "survey_n": count(_c.survey_score),
        "survey_sum": sa.func.sum(_c.survey_score),
        "fallback": count().filter(_c.outcome == FALLBACK),
        "fallback_answered": count().filter(_c.outcome == FALLBACK, _c.agent_id.is_not(None)),
    }
    return aggs


def as_int(x: Any) -> int:
    """A database count or sum of integers as int (PostgreSQL may give a Decimal); NULL (an empty
    sum) as 0."""
    return 0 if x is None else int(x)


def as_float(x: Any) -> float:
    """A database sum of seconds as float (PostgreSQL may give a Decimal); NULL (an empty sum) as 0.0."""
    return 0.0 if x is None else float(x)


def _counts(values: Mapping[str, Any]) -> Counts:
    """Counts from the aggregates by name (the keys of `_aggregates`)."""

    def n(name: str) -> int:
        return as_int(values[name])

    return Counts(
        inbound=n("inbound"),
        blocked=n("blocked"),
        in_progress=n("in_progress"),
        offered=n("offered"),
        answered=n("answered"),
        answered_within=n("answered_within"),
        abandoned=n("abandoned"),
        abandoned_within=n("abandoned_within"),
        short_abandoned=n("short_abandoned"),
        wait_n=n("wait_n"),
        wait_sum_s=as_float(values["wait_sum_s"]),
        talk_n=n("talk_n"),
        talk_sum_s=as_float(values["talk_sum_s"]),
        survey_n=n("survey_n"),
        survey_sum=n("survey_sum"),
        fallback=n("fallback"),
        fallback_answered=n("fallback_answered"),
    )


def _in_period(period: Period) -> tuple[sa.ColumnElement[bool], ...]:
    return _c.direction == "inbound", _c.started_at >= period.start, _c.started_at < period.end


def _slot_range(period: Period) -> tuple[int, int]:
    """First and last quarter hour (epoch seconds // 900) of the period."""
    return math.floor(period.start.timestamp() / SLOT_S), math.ceil(period.end.timestamp() / SLOT_S) - 1


def _sqlite_statement(period: Period, aggs: dict[str, sa.ColumnElement[Any]]) -> sa.Select[tuple[int, Any]]:
    first, last = _slot_range(period)
    slots = sa.select(number(first).label("slot")).cte("slots", recursive=True)
    slots = slots.union_all(sa.select(slots.c.slot + number(1)).where(slots.c.slot < number(last)))
    lo, hi = sqlite_slot_bounds(slots.c.slot, SLOT_S)
    # Only the slot's own bounds (clipped to the period) may constrain started_at: given the
    # period's too, SQLite could pick those for the index range and scan the period per slot.
    lo = sa.func.max(lo, sa.literal(period.start, UTCDateTime))
    hi = sa.func.min(hi, sa.literal(period.end, UTCDateTime))
    inner = (
        sa.select(sa.func.json_array(*aggs.values()))
        .where(_c.direction == "inbound", _c.started_at >= lo, _c.started_at < hi)
        .scalar_subquery()
    )
    return sa.select(slots.c.slot, inner)


async def center_slots(conn: AsyncConnection, period: Period, th: Thresholds) -> dict[int, Counts]:
    """Inbound Counts per UTC quarter hour (epoch seconds // 900) that had calls."""
    dialect = conn.dialect.name
    aggs = _aggregates(dialect, th)
    names = list(aggs)
    out: dict[int, Counts] = {}
    if dialect == "sqlite":
        for slot, packed in await conn.execute(_sqlite_statement(period, aggs)):
            values = json.loads(packed)
            if values[0]:
                out[int(slot)] = _counts(dict(zip(names, values, strict=True)))
        return out
    slot = epoch_slot(_c.started_at, dialect, SLOT_S).label("slot")
    stmt = sa.select(slot, *aggs.values()).where(*_in_period(period)).group_by(slot)
    for row in await conn.execute(stmt):
        out[int(row[0])] = _counts(dict(zip(names, row[1:], strict=True)))
    return out
