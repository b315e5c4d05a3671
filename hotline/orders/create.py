"""Creating orders at the desk: `create_repair` (merged into an open order of the same fault in
the area, or new and dispatched at once) and `create_complaint` (投诉 / 举报, with due dates).
Each change writes its history row in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.dialer.config import dialer_settings
from hotline.orders.due_dates import due_dates
from hotline.orders.intake import ComplaintRequest, RepairRequest
from hotline.orders.merging import MergeCandidate, merge_target
from hotline.orders.models import WorkOrderHistoryRow, WorkOrderRow
from hotline.orders.publishing import DispatchPublisher, dispatch_repair
from hotline.orders.records import WorkOrder, order_of
from hotline.orders.writes import add_history, checked_actor, creation_lock, next_number
from hotline.selfservice.local_time import LOCAL_TZ
from hotline.settings import Settings

log = structlog.get_logger("orders")


async def create_repair(
    engine: AsyncEngine,
    settings: Settings,
    publisher: DispatchPublisher,
    request: RepairRequest,
    actor: str,
    now: datetime,
) -> tuple[WorkOrder, bool]:
    """A fault repair report: merged into the area's open order of the same fault type if one had
    a report within `orders.merge_window_minutes` (history "merged", merged_reports + 1; nothing
    is sent again), else a new order (history "created") handed to the bus at once. Returns
    (the order, whether the report was merged). OrderError for a bad actor."""
    actor = checked_actor(actor)
    window = timedelta(minutes=settings.orders.merge_window_minutes)
    async with creation_lock(engine):
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            candidates = await merge_candidates(session, request.area_code)
            target = merge_target(candidates, request.fault_type, now, window)
            if target is not None:
                row = await _merge(session, target, request, actor, now)
            else:
                row = await _insert(session, settings, request.model_dump() | {"kind": "repair"}, actor, now)
            order = order_of(row)
    log.info("orders.repair", order=order.number, merged=target is not None, area=order.area_code)
    if target is None:
        await dispatch_repair(engine, publisher, order)
    return order, target is not None


async def create_complaint(
    engine: AsyncEngine, settings: Settings, request: ComplaintRequest, actor: str, now: datetime
) -> WorkOrder:
    """A complaint or report, due for its answer and settlement per `orders:` (due_dates.py)."""
    actor = checked_actor(actor)
    calendar = dialer_settings(settings.outbound).calendar
    o = settings.orders
    due = due_dates(now, o.answer_working_days, o.settle_working_days, calendar, LOCAL_TZ)
    values = request.model_dump() | {
        "address": request.address or "",
        "answer_due": due.answer,
        "settle_due": due.settle,
    }
    async with creation_lock(engine):
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            order = order_of(await _insert(session, settings, values, actor, now))
    log.info("orders.complaint", order=order.number, kind=order.kind, answer_due=due.answer.isoformat())
    return order


async def merge_candidates(session: AsyncSession, area_code: str) -> list[MergeCandidate]:
    """The area's open repair orders, each with the time of its last report."""
    h, w = WorkOrderHistoryRow, WorkOrderRow
    merged = (
        select(h.order_id, func.max(h.at).label("last"))
        .where(h.action == "merged")
        .group_by(h.order_id)
        .subquery()
    )
    rows = await session.execute(
        select(w.id, w.number, w.fault_type, w.created_at, merged.c.last)
        .outerjoin(merged, merged.c.order_id == w.id)
        .where(w.kind == "repair", w.status != "closed", w.area_code == area_code)
    )
    return [
        MergeCandidate(oid, number, fault or "other", created, max(created, last or created))
        for oid, number, fault, created, last in rows
    ]


async def _insert(
    session: AsyncSession,
    settings: Settings,
    values: dict[str, Any],
    actor: str,
    now: datetime,
) -> WorkOrderRow:
    number = await next_number(session, settings.orders.number_prefix, now, LOCAL_TZ)
    row = WorkOrderRow(
        number=number,
        status="open",
        created_at=now,
        created_by=actor,
        merged_reports=0,
        **values,
    )
    session.add(row)
    await session.flush()
    detail = {k: row_value.isoformat() for k in ("answer_due", "settle_due") if (row_value := values.get(k))}
    add_history(session, row.id, now, actor, "created", detail, row.call_uniqueid)
    return row


async def _merge(
    session: AsyncSession, target: MergeCandidate, request: RepairRequest, actor: str, now: datetime
) -> WorkOrderRow:
    row = await session.get_one(WorkOrderRow, target.order_id, with_for_update=True)
    row.merged_reports += 1
    report = request.model_dump(exclude={"area_code", "fault_type", "call_uniqueid"}, exclude_none=True)
    add_history(session, row.id, now, actor, "merged", report, request.call_uniqueid)
    return row
