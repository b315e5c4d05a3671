"""Read side of the call store, for the CLI, reports and tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.store.models import Call, CallEvent
from hotline.store.utc_datetime import require_aware


async def fetch_calls(engine: AsyncEngine, *, since: datetime | None = None) -> list[Call]:
    """Calls started at or after `since` (all if None), oldest first, as detached ORM objects."""
    stmt = select(Call).order_by(Call.started_at, Call.id)
    if since is not None:
        stmt = stmt.where(Call.started_at >= require_aware(since, "since"))
    async with AsyncSession(engine, expire_on_commit=False) as session:
        return list((await session.scalars(stmt)).all())


async def fetch_call(engine: AsyncEngine, uniqueid: str) -> Call | None:
    """The call with Asterisk uniqueid `uniqueid`, or None."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        call = await session.scalar(select(Call).where(Call.uniqueid == uniqueid))
    return call


async def fetch_events(engine: AsyncEngine, uniqueid: str) -> list[CallEvent]:
    """The events of call `uniqueid` in the order they were recorded."""
    stmt = select(CallEvent).where(CallEvent.call_uniqueid == uniqueid).order_by(CallEvent.id)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        return list((await session.scalars(stmt)).all())
