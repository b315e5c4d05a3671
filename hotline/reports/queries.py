"""The report's SQL: every figure is aggregated by the database (GROUP BY, CASE, COUNT/SUM).

What comes back to Python is small whatever the number of calls: one row per UTC quarter hour
with calls (at most 96 a day), one per (direction, outcome, category, queued) combination, one
per agent, one per (agent, event kind).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.models import Call, CallEvent

from .figures import Counts, Thresholds
from .period import SLOT_S, Period
from .sql_time import at_most, epoch_slot, less_than, seconds_between

ABANDONED = ("abandoned_queue", "abandoned_ringing")
AFTER_TRANSFER_ONLY = ("agent_answered", *ABANDONED)  # outcomes that imply the caller was queued
OFFER_KINDS = ("offer", "no_answer", "answer")  # call_events the ACD logs, data {"agent_id": ...}

_c = Call.__table__.c
_e = CallEvent.__table__.c


def _n(condition: Any) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _in_period(period: Period) -> list[sa.ColumnElement[bool]]:
    return [_c.started_at >= period.start, _c.started_at < period.end]


def _offered() -> sa.ColumnElement[bool]:
    return sa.and_(_c.outcome.is_not(None), _c.outcome != "blocked",
                   sa.or_(_c.queued_at.is_not(None), _c.outcome.in_(AFTER_TRANSFER_ONLY)))


def _value(x: Any) -> Any:
    """Database numbers as Python int/float (PostgreSQL sums can be Decimal); NULL as 0."""
    if x is None:
        return 0
    return x if isinstance(x, (int, float)) else float(x)


async def center_slots(conn: AsyncConnection, period: Period, th: Thresholds) -> dict[int, Counts]:
    """Inbound Counts per UTC quarter hour (slot = epoch seconds // 900) that had calls."""
    d = conn.dialect.name
    answered = _c.outcome == "agent_answered"
    abandoned = _c.outcome.in_(ABANDONED)
    wait_answer = seconds_between(_c.talk_started_at, _c.queued_at, d)
    wait_abandon = seconds_between(_c.ended_at, _c.queued_at, d)
    slot = epoch_slot(_c.started_at, d, SLOT_S).label("slot")
    stmt = (
        sa.select(
            slot,
            sa.func.count(),
            _n(_c.outcome == "blocked"),
            _n(_c.outcome.is_(None)),
            _n(_offered()),
            _n(answered),
            _n(sa.and_(answered, at_most(wait_answer, th.answer_target_s))),
            _n(abandoned),
            _n(sa.and_(abandoned, at_most(wait_abandon, th.answer_target_s))),
            _n(sa.and_(abandoned, less_than(wait_abandon, th.short_abandon_s))),
            sa.func.count(sa.case((answered, wait_answer))),
            sa.func.sum(sa.case((answered, wait_answer))),
            sa.func.count(sa.case((answered, _c.talk_s))),
            sa.func.sum(sa.case((answered, _c.talk_s))),
            sa.func.count(_c.survey_score),
            sa.func.sum(_c.survey_score),
        )
        .where(_c.direction == "inbound", *_in_period(period))
        .group_by(slot)
    )
    result = await conn.execute(stmt)
    return {int(row[0]): Counts(*(_value(v) for v in row[1:])) for row in result}


@dataclass(frozen=True)
class OutcomeGroup:
    direction: str
    outcome: str | None  # None: still in progress
    category: str | None
    queued: bool
    calls: int
    talk_sum_s: float


async def outcome_groups(conn: AsyncConnection, period: Period) -> list[OutcomeGroup]:
    """Calls per (direction, outcome, business_category, queued_at set) with their talk time."""
    queued = _c.queued_at.is_not(None)
    keys = (_c.direction, _c.outcome, _c.business_category, queued)
    stmt = (sa.select(*keys, sa.func.count(), sa.func.sum(_c.talk_s))
            .where(*_in_period(period)).group_by(*keys))
    return [OutcomeGroup(r[0], r[1], r[2], bool(r[3]), int(r[4]), float(_value(r[5])))
            for r in await conn.execute(stmt)]


@dataclass(frozen=True)
class AgentCalls:
    answered: int
    talk_n: int
    talk_sum_s: float
    survey_n: int
    survey_sum: int


async def agent_calls(conn: AsyncConnection, period: Period) -> dict[str, AgentCalls]:
    """Per agent 工号: inbound calls answered, their talk time and survey scores."""
    answered = _c.outcome == "agent_answered"
    stmt = (
        sa.select(_c.agent_id, _n(answered), sa.func.count(sa.case((answered, _c.talk_s))),
                  sa.func.sum(sa.case((answered, _c.talk_s))), sa.func.count(_c.survey_score),
                  sa.func.sum(_c.survey_score))
        .where(_c.direction == "inbound", _c.agent_id.is_not(None), *_in_period(period))
        .group_by(_c.agent_id)
    )
    return {r[0]: AgentCalls(*(_value(v) for v in r[1:])) for r in await conn.execute(stmt)}


async def agent_offers(conn: AsyncConnection, period: Period) -> dict[str, dict[str, int]]:
    """Per agent: how many offer / no_answer / answer events the ACD logged in the period.

    Counted by the event's own time (`call_events.at`), so an offer made after midnight for a
    call that started before it counts on the new day (unlike the call itself)."""
    inner = (
        sa.select(_e.data["agent_id"].as_string().label("agent_id"), _e.kind.label("kind"))
        .where(_e.kind.in_(OFFER_KINDS), _e.at >= period.start, _e.at < period.end)
        .subquery()
    )
    stmt = (sa.select(inner.c.agent_id, inner.c.kind, sa.func.count())
            .where(inner.c.agent_id.is_not(None)).group_by(inner.c.agent_id, inner.c.kind))
    out: dict[str, dict[str, int]] = {}
    for agent_id, kind, n in await conn.execute(stmt):
        out.setdefault(str(agent_id), dict.fromkeys(OFFER_KINDS, 0))[kind] = int(n)
    return out
