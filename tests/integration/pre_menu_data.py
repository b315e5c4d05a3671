"""Store rows for the tests of what callers hear before the menu: accounts and repair orders,
written as the billing import and the work-order service would leave them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.orders.models import WorkOrderRow
from hotline.selfservice.models import AccountRow

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def add_account(engine: AsyncEngine, account: str, area: str, phone: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(AccountRow).values(
                account_number=account,
                area_code=area,
                masked_name="张*",
                phone=phone,
                balance=Decimal("12.30"),
                last_bill_amount=Decimal("88.20"),
                last_bill_month="2026-11",
                last_usage_kwh=Decimal("215.0"),
                updated_at=T0,
            )
        )


async def add_repair(
    engine: AsyncEngine, number: str, area: str, status: str = "open", created_at: datetime = T0
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(WorkOrderRow).values(
                number=number,
                kind="repair",
                status=status,
                area_code=area,
                address="城关镇东大街",
                fault_type="line",
                description="线路断落",
                created_at=created_at,
                created_by="001",
                closed_at=created_at if status == "closed" else None,
            )
        )


async def break_table(engine: AsyncEngine, table: str) -> None:
    """Take a table away (as a half-applied migration or a lost grant would): its queries fail."""
    async with engine.begin() as conn:
        await conn.execute(text(f"ALTER TABLE {table} RENAME TO {table}_gone"))
