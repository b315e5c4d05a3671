"""The quality checks' table for the reports: scores per agent in a period.

A review counts in the period its CALL started in (like every figure of the reports). Per agent:
calls drawn, calls scored, the average score (points) and the average share of the maximum (the
checklist's maximum when each call was scored, so a changed checklist keeps old scores' meaning).

The report reads it with its desk tables (hotline/reports/desk_queries.py), prints it as a
table (tables_desk.quality_table: text and HTML) and exports it (export_desk: JSON `quality`, CSV
rows `quality,<工号>,<figure>,<value>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.quality.models import QualityReviewRow
from hotline.store.models import Call
from hotline.store.utc_datetime import require_aware

TITLE = "录音质检(按座席)"
HEADERS = ["工号", "姓名", "抽检通话", "已评分", "平均得分", "平均得分率"]


@dataclass(frozen=True)
class AgentQuality:
    agent_id: str
    drawn: int
    scored: int
    average_points: float | None  # None when nothing was scored
    average_share: float | None  # 0..1 of the maximum


async def quality_by_agent(engine: AsyncEngine, start: datetime, end: datetime) -> list[AgentQuality]:
    """Per agent (by 工号), the reviews of calls started in [start, end)."""
    q = QualityReviewRow
    scored = q.total.is_not(None) & (q.max_total > 0)
    share = func.avg(q.total * 1.0 / q.max_total).filter(scored)
    # EXISTS, not a join: driven from the few reviews (a call each by its unique id), never from
    # the period's calls (a year of them, on SQLite, when it took the calls as the outer table)
    in_period = exists().where(
        Call.uniqueid == q.call_uniqueid,
        Call.started_at >= require_aware(start, "start"),
        Call.started_at < require_aware(end, "end"),
    )
    stmt = (
        select(q.agent_id, func.count(), func.count().filter(scored), func.avg(q.total).filter(scored), share)
        .where(in_period)
        .group_by(q.agent_id)
        .order_by(q.agent_id)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [
        AgentQuality(
            agent_id=agent,
            drawn=int(drawn),
            scored=int(n),
            average_points=float(points) if points is not None else None,
            average_share=float(ratio) if ratio is not None else None,
        )
        for agent, drawn, n, points, ratio in rows
    ]


def quality_cells(
    rows: list[AgentQuality], names: Mapping[str, str | None]
) -> tuple[str, list[str], list[list[str]]]:
    """(title, headers, rows of text cells), "—" for what was not measured."""
    cells = [
        [
            r.agent_id,
            names.get(r.agent_id) or "",
            str(r.drawn),
            str(r.scored),
            "—" if r.average_points is None else f"{r.average_points:.1f}",
            "—" if r.average_share is None else f"{r.average_share * 100:.1f}%",
        ]
        for r in rows
    ]
    return TITLE, list(HEADERS), cells


def quality_json(rows: list[AgentQuality]) -> list[dict[str, Any]]:
    """[{agent_id, drawn, scored, average_points, average_share}] (null when nothing was scored)."""
    return [
        {
            "agent_id": r.agent_id,
            "drawn": r.drawn,
            "scored": r.scored,
            "average_points": None if r.average_points is None else round(r.average_points, 2),
            "average_share": None if r.average_share is None else round(r.average_share, 4),
        }
        for r in rows
    ]
