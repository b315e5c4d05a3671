"""Open repair orders by area: what the IVR announces first (该地区故障正在抢修) and what a new
report of the same fault merges into (seed 000 §24)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.orders.models import WorkOrderRow


@dataclass(frozen=True)
class OpenRepair:
    id: int
    number: str
    area_code: str
    fault_type: str
    fault_subtype: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> OpenRepair:
        """From a work order row (ORM row or result row with its columns)."""
        return cls(
            row.id,
            row.number,
            row.area_code or "",
            row.fault_type or "other",
            row.fault_subtype,
            row.created_at,
        )


async def open_repairs_in_areas(engine: AsyncEngine, area_codes: Iterable[str]) -> list[OpenRepair]:
    """The repair orders not yet closed in these areas, newest first."""
    areas = sorted(set(area_codes))
    if not areas:
        return []
    row = WorkOrderRow
    stmt = (
        select(row)
        .where(row.kind == "repair", row.status != "closed", row.area_code.in_(areas))
        .order_by(row.created_at.desc(), row.id.desc())
    )
    async with AsyncSession(engine) as session:
        rows = (await session.scalars(stmt)).all()
    return [OpenRepair.of(r) for r in rows]
