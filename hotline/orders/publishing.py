"""A new repair order goes to the dispatch side at once: MQTT `<prefix>/dispatch/repair_order`
(QoS 1, not retained), one JSON object:

    {"order": "GD202611260001", "kind": "repair", "area_code": "110105", "address": "城关镇...",
     "fault_type": "line", "fault_type_label": "线路", "fault_subtype": "断线",
     "description": "...", "caller_number": "13800001111", "account_number": "1000000001",
     "created_at": "2026-11-26T09:00:00+08:00", "recording": "fault-1764118800.17-1.wav"}

(`caller_number`, `account_number`, `recording` may be null; `recording` is the file name of
the caller's recorded fault description). Handing it over never waits for the broker: the bus
queues it. `published_at` is the moment the broker confirmed it (PUBACK), written then with a
history row "published" that measures call end -> published (seed 000 §23: within 5 minutes);
the same figures are logged (`orders.published`). Without MQTT configured nothing is sent and
the order's history says so. Orders still unconfirmed when the daemon stopped are sent again at
its next start (`republish_unconfirmed`); dispatch may see such an order twice (same number).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Protocol

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.orders.models import WorkOrderRow
from hotline.orders.records import FAULT_LABELS, WorkOrder, order_of
from hotline.orders.writes import add_history
from hotline.selfservice.local_time import to_local
from hotline.store.models import Call

log = structlog.get_logger("orders")
SYSTEM = "system"
NORM_S = 5 * 60  # seed 000 §23: the repair order is out within 5 minutes
NO_BROKER = "未配置 MQTT（mqtt:），工单未下发调度 (not dispatched: no broker configured)"
_background: set[asyncio.Task[None]] = set()


class DispatchPublisher(Protocol):
    """What sends the message: the daemon's EventBus (hotline/bus/event_bus.py)."""

    def publish_dispatch(
        self, name: str, body: Mapping[str, Any], *, on_confirmed: Callable[[datetime], None] | None = None
    ) -> bool: ...


def repair_message(order: WorkOrder) -> dict[str, Any]:
    return {
        "order": order.number,
        "kind": order.kind,
        "area_code": order.area_code,
        "address": order.address,
        "fault_type": order.fault_type,
        "fault_type_label": FAULT_LABELS.get(order.fault_type or "", order.fault_type),
        "fault_subtype": order.fault_subtype,
        "description": order.description,
        "caller_number": order.caller_number,
        "account_number": order.account_number,
        "created_at": to_local(order.created_at).isoformat(),
        "recording": PurePosixPath(order.fault_recording).name if order.fault_recording else None,
    }


def _spawn(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(work, name="order-published")
    _background.add(task)
    task.add_done_callback(_background.discard)


async def dispatch_repair(engine: AsyncEngine, publisher: DispatchPublisher, order: WorkOrder) -> bool:
    """Hand the order to the bus; True if queued for a broker. Without one, the history says so."""
    if publisher.publish_dispatch("repair_order", repair_message(order), on_confirmed=_stamp(engine, order)):
        return True
    log.warning("orders.not_dispatched", order=order.number, reason="no mqtt: broker configured")
    async with AsyncSession(engine) as session, session.begin():
        add_history(session, order.id, order.created_at, SYSTEM, "noted", {"note": NO_BROKER})
    return False


async def record_published(engine: AsyncEngine, order: WorkOrder, at: datetime) -> None:
    """`published_at` and its history row (once: a resend after a reconnect changes nothing)."""
    try:
        async with AsyncSession(engine) as session, session.begin():
            conn = await session.connection()
            result = await conn.execute(
                update(WorkOrderRow)
                .where(WorkOrderRow.id == order.id, WorkOrderRow.published_at.is_(None))
                .values(published_at=at)
            )
            if result.rowcount != 1:
                return
            detail = await _delays(session, order, at)
            add_history(session, order.id, at, SYSTEM, "published", detail)
    except Exception:  # the database is away: the order went out, its stamp is lost (logged)
        log.exception("orders.publish_record_failed", order=order.number)
        return
    log.info("orders.published", order=order.number, **detail)


async def _delays(session: AsyncSession, order: WorkOrder, at: datetime) -> dict[str, Any]:
    """Seconds from creation and from the call's end to `at`; a call still going on has no end
    yet (the order went out before the caller hung up: within the norm)."""
    ended = None
    if order.call_uniqueid is not None:
        ended = await session.scalar(select(Call.ended_at).where(Call.uniqueid == order.call_uniqueid))
    since_end = round((at - ended).total_seconds(), 3) if ended is not None else None
    return {
        "since_created_s": round((at - order.created_at).total_seconds(), 3),
        "since_call_end_s": since_end,
        "within_norm": since_end is None or since_end <= NORM_S,
    }


async def republish_unconfirmed(engine: AsyncEngine, publisher: DispatchPublisher) -> list[str]:
    """At the daemon's start: send again the open repair orders no broker ever confirmed (the
    daemon stopped with them queued, or the broker was away). Their numbers, oldest first; none
    if the store cannot be read (logged: the daemon takes calls all the same)."""
    row = WorkOrderRow
    try:
        async with AsyncSession(engine) as session:
            rows = (
                await session.scalars(
                    select(row)
                    .where(row.kind == "repair", row.status != "closed", row.published_at.is_(None))
                    .order_by(row.created_at, row.id)
                )
            ).all()
    except (SQLAlchemyError, OSError) as exc:
        log.warning("orders.republish_failed", error=str(exc).splitlines()[0])
        return []
    orders = [order_of(r) for r in rows]
    sent = []
    for order in orders:
        if not publisher.publish_dispatch(
            "repair_order", repair_message(order), on_confirmed=_stamp(engine, order)
        ):
            break  # no broker configured: nothing can go out
        sent.append(order.number)
    if sent:
        log.warning("orders.republished", orders=sent)
    return sent


def _stamp(engine: AsyncEngine, order: WorkOrder) -> Callable[[datetime], None]:
    """The bus's confirmation callback (runs on the bus task): the write runs apart."""
    return lambda at: _spawn(record_published(engine, order, at))
