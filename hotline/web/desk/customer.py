"""What the store knows about a caller, for the agent's screen pop: the accounts registered to
the number, outage notices and open repairs in their areas, the last 30 days of calls from the
number and its work orders not yet closed. Small indexed queries, run once per call when it joins
the queue (the pop is ready before the agent's phone rings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.orders.open_repairs import OpenRepair, open_repairs_in_areas
from hotline.orders.queries import open_orders_of_caller
from hotline.orders.records import WorkOrder
from hotline.phone_number import stored_forms
from hotline.selfservice.models import AccountRow
from hotline.selfservice.queries import outages_for_area
from hotline.selfservice.records import Account, Notice
from hotline.store.models import Call

HISTORY_DAYS = 30
HISTORY_MAX = 20


@dataclass(frozen=True)
class PastCall:
    uniqueid: str
    started_at: datetime
    outcome: str | None
    agent_id: str | None
    category: str | None  # the agent's disposition, else the menu's
    note: str | None


@dataclass(frozen=True)
class Customer:
    accounts: list[Account] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    repairs: list[OpenRepair] = field(default_factory=list)
    history: list[PastCall] = field(default_factory=list)
    orders: list[WorkOrder] = field(default_factory=list)  # not closed yet


async def customer_of(engine: AsyncEngine, number: str, now: datetime, *, this_call: str) -> Customer:
    """Everything known about `number` (any written form); a withheld or foreign number has no
    stored form and so no accounts or history."""
    forms = stored_forms(number)
    if not forms:
        return Customer()
    async with AsyncSession(engine) as session:
        rows = (
            await session.scalars(
                select(AccountRow).where(AccountRow.phone.in_(forms)).order_by(AccountRow.account_number)
            )
        ).all()
        accounts = [Account.of(r) for r in rows]
        history = await _history(session, forms, now, this_call)
    areas = sorted({a.area_code for a in accounts})
    notices = [n for area in areas for n in await outages_for_area(engine, area, now)]
    repairs = await open_repairs_in_areas(engine, areas)
    return Customer(accounts, notices, repairs, history, await open_orders_of_caller(engine, number))


async def _history(
    session: AsyncSession, forms: tuple[str, ...], now: datetime, this_call: str
) -> list[PastCall]:
    c = Call
    stmt = (
        select(c)
        .where(
            c.caller_number.in_(forms),
            c.direction == "inbound",
            c.started_at >= now - timedelta(days=HISTORY_DAYS),
            c.uniqueid != this_call,
        )
        .order_by(c.started_at.desc(), c.id.desc())
        .limit(HISTORY_MAX)
    )
    return [
        PastCall(
            r.uniqueid,
            r.started_at,
            r.outcome,
            r.agent_id,
            r.agent_category or r.business_category,
            r.disposition_note,
        )
        for r in (await session.scalars(stmt)).all()
    ]
