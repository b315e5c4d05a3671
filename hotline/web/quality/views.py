"""What the quality pages show of the reviews: local times, agents' names, scores."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from hotline.quality.store import Review
from hotline.web.calls.views import agent_label, duration


def review_view(review: Review, agents: Mapping[str, str], tz: ZoneInfo) -> dict[str, Any]:
    started = review.started_at.astimezone(tz) if review.started_at else None
    return {
        "id": review.id,
        "week": review.week,
        "call": review.call_uniqueid,
        "agent": agent_label(review.agent_id, agents),
        "started": f"{started:%Y-%m-%d %H:%M:%S}" if started else "（通话记录不存在）",
        "talk": duration(review.talk_s),
        "reviewed": review.reviewed_at is not None,
        "reviewer": review.reviewer or "",
        "reviewed_at": f"{review.reviewed_at.astimezone(tz):%Y-%m-%d %H:%M}" if review.reviewed_at else "",
        "total": review.total,
        "max_total": review.max_total,
        "points": {item["id"]: item["points"] for item in review.scores or []},
        "scores": review.scores or [],
        "comment": review.comment or "",
    }


def agent_groups(reviews: list[Review], agents: Mapping[str, str], tz: ZoneInfo) -> list[dict[str, Any]]:
    """The week's reviews by agent, with how many are scored and their average (in % of the maximum)."""
    groups = []
    for agent_id, items in groupby(reviews, key=lambda r: r.agent_id):
        rows = list(items)
        scored = [r for r in rows if r.total is not None and r.max_total]
        average = (
            sum(r.total / r.max_total for r in scored if r.total is not None and r.max_total) / len(scored)
            if scored
            else None
        )
        groups.append(
            {
                "agent": agent_label(agent_id, agents),
                "reviews": [review_view(r, agents, tz) for r in rows],
                "reviewed": len(scored),
                "average": f"{average * 100:.1f}%" if average is not None else "—",
            }
        )
    return groups
