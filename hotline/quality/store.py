"""The quality checks in the store: a week's draw written once, its reviews read and scored."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.quality.draw import draw, week_bounds
from hotline.quality.models import REVIEWER_MAX, QualityReviewRow
from hotline.quality.scoring import Scored
from hotline.store.models import Call

ANSWERED = ("agent_answered", "answered")  # an agent talked: inbound, or a dialer call put through


async def candidates(engine: AsyncEngine, week: str, tz: ZoneInfo) -> dict[str, list[str]]:
    """agent -> the week's calls that agent answered and that have a recording still kept."""
    start, end = week_bounds(week, tz)
    stmt = select(Call.agent_id, Call.uniqueid).where(
        Call.started_at >= start,
        Call.started_at < end,
        Call.outcome.in_(ANSWERED),
        Call.agent_id.is_not(None),
        Call.recording_path.is_not(None),
        Call.recording_deleted_at.is_(None),
    )
    found: dict[str, list[str]] = defaultdict(list)
    async with engine.connect() as conn:
        for agent_id, uniqueid in await conn.execute(stmt):
            found[agent_id].append(uniqueid)
    return dict(found)


async def is_drawn(engine: AsyncEngine, week: str) -> bool:
    async with engine.connect() as conn:
        found = await conn.scalar(select(QualityReviewRow.id).where(QualityReviewRow.week == week).limit(1))
    return found is not None


async def draw_week(engine: AsyncEngine, week: str, n: int, now: datetime, tz: ZoneInfo) -> int | None:
    """Draw `week` (see draw.py) and store it: the number of calls drawn, 0 when the week has no
    candidate, None when it had been drawn already (nothing is drawn again)."""
    if await is_drawn(engine, week):
        return None
    picked = draw(week, await candidates(engine, week, tz), n)
    rows = [
        {"week": week, "call_uniqueid": uid, "agent_id": agent, "drawn_at": now}
        for agent, calls in picked.items()
        for uid in calls
    ]
    if not rows:
        return 0
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(QualityReviewRow), rows)
    except IntegrityError:  # drawn at the same moment by someone else: the same calls, kept once
        return None
    return len(rows)


@dataclass(frozen=True)
class Review:
    id: int
    week: str
    call_uniqueid: str
    agent_id: str
    started_at: datetime | None  # the call's start (None if its row is gone)
    talk_s: float | None
    reviewer: str | None
    reviewed_at: datetime | None
    scores: list[dict[str, Any]] | None
    total: int | None
    max_total: int | None
    comment: str | None


def _review_query() -> Any:
    q = QualityReviewRow
    return select(
        q.id, q.week, q.call_uniqueid, q.agent_id, Call.started_at, Call.talk_s, q.reviewer,
        q.reviewed_at, q.scores, q.total, q.max_total, q.comment,
    ).outerjoin(Call, Call.uniqueid == q.call_uniqueid)  # fmt: skip


async def week_reviews(engine: AsyncEngine, week: str) -> list[Review]:
    """The week's drawn calls, by agent then call start."""
    stmt = _review_query().where(QualityReviewRow.week == week)
    stmt = stmt.order_by(QualityReviewRow.agent_id, Call.started_at, QualityReviewRow.id)
    async with engine.connect() as conn:
        return [Review(*row) for row in await conn.execute(stmt)]


async def get_review(engine: AsyncEngine, review_id: int) -> Review | None:
    async with engine.connect() as conn:
        row = (await conn.execute(_review_query().where(QualityReviewRow.id == review_id))).first()
    return Review(*row) if row is not None else None


async def save_review(
    engine: AsyncEngine, review_id: int, scored: Scored, reviewer: str, now: datetime
) -> bool:
    """Store the scores of review `review_id` (replacing earlier ones); False if there is no such review."""
    stmt = (
        update(QualityReviewRow)
        .where(QualityReviewRow.id == review_id)
        .values(
            reviewer=reviewer[:REVIEWER_MAX],
            reviewed_at=now,
            scores=scored.items,
            total=scored.total,
            max_total=scored.max_total,
            comment=scored.comment,
        )
    )
    async with engine.begin() as conn:
        result = await conn.execute(stmt)
    return bool(result.rowcount)
