"""The report's smaller queries (the per-quarter-hour one is slot_query.py). All aggregate in the
database with one short GROUP BY key each; what comes back is one row per outcome, category or
agent, whatever the number of calls.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.models import Call, CallEvent

from .period import Period
from .slot_query import AFTER_TRANSFER_ONLY, as_number

OFFER_KINDS = ("offer", "no_answer")  # call_events the ACD logs per agent, data {"agent_id": "001"}

_c = Call.__table__.c
_e = CallEvent.__table__.c


def _calls_in(period: Period, direction: str) -> tuple[sa.ColumnElement[bool], ...]:
    return _c.direction == direction, _c.started_at >= period.start, _c.started_at < period.end


async def outbound_outcomes(conn: AsyncConnection, period: Period) -> dict[str | None, tuple[int, float]]:
    """Outbound calls per outcome (None = in progress): (calls, talk seconds)."""
    stmt = (sa.select(_c.outcome, sa.func.count(), sa.func.sum(_c.talk_s))
            .where(*_calls_in(period, "outbound")).group_by(_c.outcome))
    return {r[0]: (int(r[1]), float(as_number(r[2]))) for r in await conn.execute(stmt)}


def self_service_condition() -> sa.ColumnElement[bool]:
    """Inbound calls that ended without asking for an agent (the negation of `offered`)."""
    return sa.and_(_c.outcome.is_not(None), _c.outcome != "blocked", _c.queued_at.is_(None),
                   _c.outcome.not_in(AFTER_TRANSFER_ONLY))


async def categories(conn: AsyncConnection, period: Period) -> dict[str | None, tuple[int, int]]:
    """Per business_category: (self-service calls = IVR use by function, agent-answered calls)."""
    ivr, answered = self_service_condition(), _c.outcome == "agent_answered"
    stmt = (sa.select(_c.business_category, sa.func.count().filter(ivr), sa.func.count().filter(answered))
            .where(*_calls_in(period, "inbound"), sa.or_(ivr, answered))
            .group_by(_c.business_category))
    return {r[0]: (int(r[1]), int(r[2])) for r in await conn.execute(stmt)}


@dataclass(frozen=True)
class AgentCalls:
    answered: int
    talk_n: int
    talk_sum_s: float
    survey_n: int
    survey_sum: int


async def agent_calls(conn: AsyncConnection, period: Period) -> dict[str, AgentCalls]:
    """Per agent 工号: inbound calls answered, their talk time, and survey scores of its calls."""
    answered = _c.outcome == "agent_answered"
    stmt = (
        sa.select(_c.agent_id, sa.func.count().filter(answered), sa.func.count(_c.talk_s).filter(answered),
                  sa.func.sum(_c.talk_s).filter(answered), sa.func.count(_c.survey_score),
                  sa.func.sum(_c.survey_score))
        .where(*_calls_in(period, "inbound"), _c.agent_id.is_not(None))
        .group_by(_c.agent_id)
    )
    return {r[0]: AgentCalls(*(as_number(v) for v in r[1:])) for r in await conn.execute(stmt)}


async def agent_offers(conn: AsyncConnection, period: Period) -> dict[str, dict[str, int]]:
    """Per agent: how many offer / no_answer events the ACD logged in the period.

    Counted by the event's own time (`call_events.at`): an offer made after midnight for a call
    that started before it counts on the new day (the call itself counts on its start day)."""
    agent: Any = _e.data["agent_id"].as_string()
    inner = (sa.select(agent.label("agent_id"), _e.kind.label("kind"))
             .where(_e.kind.in_(OFFER_KINDS), _e.at >= period.start, _e.at < period.end)
             .subquery())
    stmt = (sa.select(inner.c.agent_id, *(sa.func.count().filter(inner.c.kind == k) for k in OFFER_KINDS))
            .where(inner.c.agent_id.is_not(None)).group_by(inner.c.agent_id))
    return {str(r[0]): dict(zip(OFFER_KINDS, map(int, r[1:]))) for r in await conn.execute(stmt)}
