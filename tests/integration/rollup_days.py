"""The report rollup's day rows as the rollup tests read them (imported as `rollup_days`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.models import table_of
from hotline.store.rollup_models import RollupDay


async def rollup_days(engine: AsyncEngine) -> dict[int, tuple[bool, bool, int]]:
    """day -> (dirty, ready, claims) of every row of report_rollup_days."""
    d = table_of(RollupDay).c
    async with engine.connect() as conn:
        rows = await conn.execute(sa.select(d.day, d.dirty, d.ready, d.claims))
        return {int(day): (bool(dirty), bool(ready), int(claims)) for day, dirty, ready, claims in rows}
