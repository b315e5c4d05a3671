"""What the console's outbound pages read from the dialer's tables (the CLI's are in store.py):
jobs by status and purpose, one job, the do-not-call list with reasons."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.dialer.models import DncRow, OutboundJobRow

JOBS_SHOWN = 200
DNC_SHOWN = 500


async def find_jobs(
    engine: AsyncEngine, *, status: str | None = None, purpose: str | None = None, limit: int = JOBS_SHOWN
) -> list[OutboundJobRow]:
    """The newest jobs (of one status and/or purpose), newest first."""
    q = select(OutboundJobRow)
    if status is not None:
        q = q.where(OutboundJobRow.status == status)
    if purpose is not None:
        q = q.where(OutboundJobRow.purpose == purpose)
    q = q.order_by(OutboundJobRow.created_at.desc(), OutboundJobRow.id).limit(limit)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        return list((await session.scalars(q)).all())


async def job_counts(engine: AsyncEngine) -> dict[str, int]:
    """How many jobs there are of each status."""
    async with engine.connect() as conn:
        rows = await conn.execute(select(OutboundJobRow.status, func.count()).group_by(OutboundJobRow.status))
        return {status: int(n) for status, n in rows}


async def job(engine: AsyncEngine, job_id: str) -> OutboundJobRow | None:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        return await session.get(OutboundJobRow, job_id)


async def dnc_entries(
    engine: AsyncEngine, *, number: str | None = None, limit: int = DNC_SHOWN
) -> list[DncRow]:
    """The list, newest first (or the entry of one national-form `number`)."""
    q = select(DncRow).order_by(DncRow.added_at.desc(), DncRow.number).limit(limit)
    if number is not None:
        q = q.where(DncRow.number == number)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        return list((await session.scalars(q)).all())


async def dnc_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(DncRow)) or 0)
