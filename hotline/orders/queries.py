"""Reading orders: a caller's open orders (the screen pop), the lists of the console and the CLI,
one order with its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.orders.errors import OrderInputError, OrderNotFound
from hotline.orders.models import ORDER_KINDS, ORDER_STATUSES, WorkOrderHistoryRow, WorkOrderRow
from hotline.orders.numbering import checked_number
from hotline.orders.records import OrderDetail, WorkOrder, entry_of, order_of
from hotline.orders.writes import row_by_number
from hotline.phone_number import stored_forms

ACTIVE = "active"  # open or answered: not yet closed
STATUS_FILTERS = (ACTIVE, *ORDER_STATUSES, "all")
MAX_LIST = 1000


@dataclass(frozen=True)
class OrderFilter:
    status: str = ACTIVE  # active | open | answered | closed | all
    kind: str | None = None  # repair | complaint | report
    overdue: bool = False  # only orders overdue at `now`
    limit: int = 200

    def __post_init__(self) -> None:
        if self.status not in STATUS_FILTERS:
            raise OrderInputError(f"状态 {self.status!r} 应为 {' / '.join(STATUS_FILTERS)} 之一")
        if self.kind is not None and self.kind not in ORDER_KINDS:
            raise OrderInputError(f"工单类型 {self.kind!r} 应为 {' / '.join(ORDER_KINDS)} 之一")
        if not 1 <= self.limit <= MAX_LIST:
            raise OrderInputError(f"条数 {self.limit} 应在 1-{MAX_LIST} 之间")


async def _orders(engine: AsyncEngine, stmt: Select[tuple[WorkOrderRow]]) -> list[WorkOrder]:
    async with AsyncSession(engine) as session:
        return [order_of(r) for r in (await session.scalars(stmt)).all()]


async def open_orders_of_caller(engine: AsyncEngine, number: str | None) -> list[WorkOrder]:
    """The orders not yet closed that this phone (any written form) filed, or reported again
    (a repeat report merged into the order), newest first; none for an anonymous number."""
    forms = stored_forms(number) if number else ()
    if not forms:
        return []
    w, h = WorkOrderRow, WorkOrderHistoryRow
    merged = select(h.order_id).where(h.action == "merged", h.detail["caller_number"].as_string().in_(forms))
    return await _orders(
        engine,
        select(w)
        .where(or_(w.caller_number.in_(forms), w.id.in_(merged)), w.status != "closed")
        .order_by(w.created_at.desc(), w.id.desc()),
    )


def _overdue_at(now: datetime) -> ColumnElement[bool]:
    w = WorkOrderRow
    return or_(
        and_(w.answer_due <= now, w.answered_at.is_(None), w.closed_at.is_(None)),
        and_(w.settle_due <= now, w.closed_at.is_(None)),
    )


async def list_orders(
    engine: AsyncEngine, now: datetime, which: OrderFilter | None = None
) -> list[WorkOrder]:
    """Orders matching `which` (default: not closed), newest first, at most `which.limit`."""
    which = which or OrderFilter()
    w = WorkOrderRow
    stmt = select(w).order_by(w.created_at.desc(), w.id.desc()).limit(which.limit)
    if which.status == ACTIVE:
        stmt = stmt.where(w.status != "closed")
    elif which.status != "all":
        stmt = stmt.where(w.status == which.status)
    if which.kind is not None:
        stmt = stmt.where(w.kind == which.kind)
    if which.overdue:
        stmt = stmt.where(_overdue_at(now))
    return await _orders(engine, stmt)


async def order_detail(engine: AsyncEngine, number: str) -> OrderDetail:
    """One order (number as typed) with its history, oldest first; OrderNotFound if none."""
    number = checked_number(number)
    h = WorkOrderHistoryRow
    async with AsyncSession(engine) as session:
        row = await row_by_number(session, number)
        if row is None:
            raise OrderNotFound(number)
        history = (await session.scalars(select(h).where(h.order_id == row.id).order_by(h.at, h.id))).all()
        return OrderDetail(order_of(row), [entry_of(e) for e in history])
