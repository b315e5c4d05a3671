"""Reading self-service data: outage notices for an area or a caller, and accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Select, case, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.phone_number import stored_forms
from hotline.selfservice.models import AccountRow, OutageNoticeRow
from hotline.selfservice.records import Account, Notice
from hotline.store.utc_datetime import require_aware

HORIZON = timedelta(days=7)  # notices starting within this are announced (000 §31: >= 7 days ahead)


def phone_candidates(number: str) -> tuple[str, ...]:
    """The forms a caller number may be registered under (hotline.phone_number.stored_forms):
    its national form first; none for a number with letters or other symbols."""
    return stored_forms(number)


def _announced(area_codes: Iterable[str], now: datetime) -> Select[tuple[OutageNoticeRow]]:
    """Notices in force at `now` or starting within HORIZON (not cancelled): planned first, then by start."""
    require_aware(now, "now")
    row = OutageNoticeRow
    return (
        select(row)
        .where(
            row.area_code.in_(list(area_codes)),
            row.ends_at > now,
            row.starts_at < now + HORIZON,
            row.cancelled_at.is_(None),
        )
        .order_by(case((row.kind == "planned", 0), else_=1), row.starts_at, row.id)
    )


async def outages_for_area(engine: AsyncEngine, area_code: str, now: datetime) -> list[Notice]:
    async with AsyncSession(engine) as session:
        rows = (await session.scalars(_announced([area_code], now))).all()
    return [Notice.of(r) for r in rows]


async def areas_for_phone(engine: AsyncEngine, phone: str) -> list[str]:
    """Area codes of the accounts registered with `phone` (any of its forms), sorted."""
    candidates = phone_candidates(phone)
    if not candidates:
        return []
    stmt = (
        select(AccountRow.area_code)
        .where(AccountRow.phone.in_(candidates))
        .distinct()
        .order_by(AccountRow.area_code)
    )
    async with AsyncSession(engine) as session:
        return list((await session.scalars(stmt)).all())


async def outages_for_phone(engine: AsyncEngine, phone: str, now: datetime) -> list[Notice] | None:
    """Notices for the areas of the accounts registered with `phone`; None: no such account."""
    areas = await areas_for_phone(engine, phone)
    if not areas:
        return None
    async with AsyncSession(engine) as session:
        rows = (await session.scalars(_announced(areas, now))).all()
    return [Notice.of(r) for r in rows]


async def account(engine: AsyncEngine, number: str) -> Account | None:
    async with AsyncSession(engine) as session:
        row = await session.get(AccountRow, number)
    return Account.of(row) if row is not None else None


async def list_notices(
    engine: AsyncEngine,
    *,
    area_code: str | None = None,
    now: datetime | None = None,
    include_cancelled: bool = False,
) -> list[Notice]:
    """Every notice (of one area), by start; with `now`, only those not ended yet; cancelled ones
    only with `include_cancelled`."""
    row = OutageNoticeRow
    stmt = select(row).order_by(row.starts_at, row.id)
    if not include_cancelled:
        stmt = stmt.where(row.cancelled_at.is_(None))
    if area_code is not None:
        stmt = stmt.where(row.area_code == area_code)
    if now is not None:
        stmt = stmt.where(row.ends_at > require_aware(now, "now"))
    async with AsyncSession(engine) as session:
        rows = (await session.scalars(stmt)).all()
    return [Notice.of(r) for r in rows]
