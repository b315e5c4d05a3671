"""The report's other queries (the per-quarter-hour one is slot_query.py). Each aggregates in the
database over one GROUP BY; what comes back is a row per (agent, category), per (direction,
category, outcome, queued) or per agent, whatever the number of calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.reports.period import Period
from hotline.reports.slot_query import answered_condition, as_float, as_int
from hotline.store.models import Call, CallEvent

OFFER_KINDS = ("offer", "no_answer")  # call_events the ACD logs per agent, data {"agent_id": "001"}

_c = Call.__table__.c
_e = CallEvent.__table__.c


def _calls_in(period: Period, direction: str) -> tuple[sa.ColumnElement[bool], ...]:
    return _c.direction == direction, _c.started_at >= period.start, _c.started_at < period.end


@dataclass(frozen=True)
class AnsweredGroup:
    calls: int
    talk_n: int
    talk_sum_s: float
    survey_n: int
    survey_sum: int


async def answered_groups(
    conn: AsyncConnection, period: Period
) -> dict[tuple[str | None, str | None, str | None], AnsweredGroup]:
    """Agent-answered inbound calls (fallback calls an agent took included) per (agent 工号,
    agent_category (the disposition), business_category (the menu's)): talk time, survey scores.
    One query for both per-agent figures and agent calls by category."""
    keys = (_c.agent_id, _c.agent_category, _c.business_category)
    stmt = (
        sa.select(
            *keys,
            sa.func.count(),
            sa.func.count(_c.talk_s),
            sa.func.sum(_c.talk_s),
            sa.func.count(_c.survey_score),
            sa.func.sum(_c.survey_score),
        )
        .where(*_calls_in(period, "inbound"), answered_condition())
        .group_by(*keys)
    )
    return {
        (r[0], r[1], r[2]): AnsweredGroup(
            as_int(r[3]), as_int(r[4]), as_float(r[5]), as_int(r[6]), as_int(r[7])
        )
        for r in await conn.execute(stmt)
    }


@dataclass(frozen=True)
class OtherGroup:
    direction: str
    category: str | None
    outcome: str | None  # None: in progress
    queued: bool  # queued_at is set
    calls: int
    talk_sum_s: float


async def other_groups(conn: AsyncConnection, period: Period) -> list[OtherGroup]:
    """Every call but the agent_answered inbound ones (those are answered_groups; fallback calls are
    here, answered or not, for the outcomes table), per (direction,
    business_category, outcome, queued_at set), with talk time: inbound outcomes, IVR use by
    function and outbound calls come from these few rows."""
    queued = _c.queued_at.is_not(None)
    keys = (_c.direction, _c.business_category, _c.outcome, queued)
    wanted = sa.or_(_c.outcome.is_(None), _c.outcome != "agent_answered", _c.direction != "inbound")
    stmt = (
        sa.select(*keys, sa.func.count(), sa.func.sum(_c.talk_s))
        .where(_c.started_at >= period.start, _c.started_at < period.end, wanted)
        .group_by(*keys)
    )
    return [
        OtherGroup(r[0], r[1], r[2], bool(r[3]), int(r[4]), as_float(r[5])) for r in await conn.execute(stmt)
    ]


async def agent_offers(conn: AsyncConnection, period: Period) -> dict[str, dict[str, int]]:
    """Per agent: how many offer / no_answer events the ACD logged in the period.

    Counted by the event's own time (`call_events.at`): an offer made after midnight for a call
    that started before it counts on the new day (the call itself counts on its start day)."""
    agent: Any = _e.data["agent_id"].as_string()
    inner = (
        sa.select(agent.label("agent_id"), _e.kind.label("kind"))
        .where(_e.kind.in_(OFFER_KINDS), _e.at >= period.start, _e.at < period.end)
        .subquery()
    )
    stmt = sa.select(
        inner.c.agent_id, *(sa.func.count().filter(inner.c.kind == k) for k in OFFER_KINDS)
    ).group_by(inner.c.agent_id)
    # events without an agent_id (none from the ACD) group under NULL and are left out
    return {
        str(r[0]): dict(zip(OFFER_KINDS, map(int, r[1:]), strict=True))
        for r in await conn.execute(stmt)
        if r[0] is not None
    }
