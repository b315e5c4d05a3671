"""Answering and closing orders (desk, console, CLI, MQTT `<prefix>/dispatch/order_closed`).

- `answer_order`: a complaint or report gets its answer (open -> answered); a repair is not
  answered, it is closed.
- `close_order`: any order not yet closed (open or answered -> closed) is closed and its
  follow-up call (回访) scheduled (followup.py); a follow-up that cannot be made still closes the
  order and the history says why. The order keeps the follow-up's job id.
Each change and its history row are one transaction; the state is checked in the UPDATE itself,
so two people closing at once close it once (the second gets OrderStateError).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.orders.errors import OrderInputError, OrderNotFound, OrderStateError
from hotline.orders.followup import FollowupScheduler, schedule_followup_of
from hotline.orders.intake import text_block
from hotline.orders.models import WorkOrderRow
from hotline.orders.numbering import checked_number
from hotline.orders.records import STATUS_LABELS, WorkOrder, order_of
from hotline.orders.writes import add_history, checked_actor, row_by_number

log = structlog.get_logger("orders")
FUTURE_SLACK = timedelta(minutes=5)  # another system's clock may run a little ahead


def checked_note(note: str, *, required: bool) -> str:
    try:
        return text_block(note, required=required)
    except ValueError as exc:
        raise OrderInputError(f"处理意见: {exc}") from None


async def _current(session: AsyncSession, number: str) -> WorkOrderRow:
    row = await row_by_number(session, number)
    if row is None:
        raise OrderNotFound(number)
    return row


async def _change(
    session: AsyncSession, row: WorkOrderRow, from_statuses: tuple[str, ...], values: dict[str, Any]
) -> WorkOrderRow:
    """UPDATE the order if it is still in one of `from_statuses`; OrderStateError if not."""
    conn = await session.connection()  # a Core UPDATE: its rowcount says whether it applied
    result = await conn.execute(
        update(WorkOrderRow)
        .where(WorkOrderRow.id == row.id, WorkOrderRow.status.in_(from_statuses))
        .values(**values)
    )
    if result.rowcount != 1:
        raise OrderStateError(f"工单 {row.number} 刚被他人处理，请刷新后再看 (changed meanwhile)")
    await session.refresh(row)
    return row


async def answer_order(engine: AsyncEngine, number: str, actor: str, note: str, now: datetime) -> WorkOrder:
    """Record the answer (`note`, required) of complaint/report `number`."""
    number, actor, note = checked_number(number), checked_actor(actor), checked_note(note, required=True)
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        row = await _current(session, number)
        if row.kind == "repair":
            raise OrderStateError(f"工单 {number} 是故障报修，无需答复，处理完毕后直接办结")
        if row.status != "open":
            raise OrderStateError(f"工单 {number} {STATUS_LABELS[row.status]}，不能再答复")
        late = row.answer_due is not None and now >= row.answer_due
        row = await _change(session, row, ("open",), {"status": "answered", "answered_at": now})
        add_history(session, row.id, now, actor, "answered", {"note": note, "late": late})
        order = order_of(row)
    log.info("orders.answered", order=number, by=actor, late=late)
    return order


async def close_order(
    engine: AsyncEngine,
    number: str,
    actor: str,
    note: str,
    now: datetime,
    schedule_followup: FollowupScheduler,
    *,
    closed_at: datetime | None = None,
) -> WorkOrder:
    """Close order `number` (`note` optional) and schedule its follow-up call. `closed_at`: when
    the work was done if not now (dispatch says so); not in the future, not before the order."""
    number, actor, note = checked_number(number), checked_actor(actor), checked_note(note, required=False)
    if closed_at is not None and closed_at.tzinfo is None:
        raise OrderInputError(f"办结时间 {closed_at.isoformat()} 须带时区 (closed_at needs a time zone)")
    done_at = closed_at or now
    if done_at > now + FUTURE_SLACK:
        raise OrderInputError(f"办结时间 {done_at.isoformat()} 在将来 (closed_at is in the future)")
    async with AsyncSession(engine, expire_on_commit=False) as session:
        before = order_of(await _current(session, number))
    if before.status == "closed":
        raise OrderStateError(f"工单 {number} 已办结")
    if done_at < before.created_at:
        raise OrderInputError(f"办结时间 {done_at.isoformat()} 早于受理时间 (before the order was made)")
    followup = await schedule_followup_of(engine, before, done_at, schedule_followup)
    detail: dict[str, Any] = {"note": note, "followup_job_id": followup.job_id}
    detail["followup_refused"] = followup.refused
    detail |= {"late": before.settle_due is not None and done_at >= before.settle_due}
    if closed_at is not None:
        detail["closed_at"] = closed_at.isoformat()
    values = {"status": "closed", "closed_at": done_at, "closed_by": actor}
    values["followup_job_id"] = followup.job_id
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        row = await _change(session, await _current(session, number), ("open", "answered"), values)
        add_history(session, row.id, now, actor, "closed", detail)
        order = order_of(row)
    if followup.refused:
        log.warning("orders.followup_refused", order=number, reason=followup.refused)
    log.info("orders.closed", order=number, by=actor, followup=followup.job_id)
    return order
