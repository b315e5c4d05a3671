"""The store's side of changing an order: a history row with every change (same transaction),
the day's next order number, one creation at a time per store in this process."""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.config_text import control_char
from hotline.orders.errors import OrderInputError
from hotline.orders.models import WorkOrderHistoryRow, WorkOrderRow
from hotline.orders.numbering import day_prefix, next_sequence, order_number

ACTOR_MAX = 64
_creation_locks: WeakKeyDictionary[AsyncEngine, asyncio.Lock] = WeakKeyDictionary()


def checked_actor(actor: str) -> str:
    """Who acts (工号, console user, `cli:<login>`, `dispatch`): 1-64 characters on one line."""
    actor = actor.strip()
    if not actor or len(actor) > ACTOR_MAX or control_char(actor):
        raise OrderInputError(f"操作人 {actor[:ACTOR_MAX]!r} 应为 1-{ACTOR_MAX} 个字符的一行文字")
    return actor


def creation_lock(engine: AsyncEngine) -> asyncio.Lock:
    """Orders are created one at a time per store: the merge decision and the day's number are
    read and written without another creation in between (the daemon is the only creator)."""
    lock = _creation_locks.get(engine)
    if lock is None:
        lock = _creation_locks[engine] = asyncio.Lock()
    return lock


def add_history(
    session: AsyncSession,
    order_id: int,
    at: datetime,
    actor: str,
    action: str,
    detail: dict[str, Any],
    call_uniqueid: str | None = None,
) -> None:
    session.add(
        WorkOrderHistoryRow(
            order_id=order_id, at=at, actor=actor, action=action, call_uniqueid=call_uniqueid, detail=detail
        )
    )


async def next_number(session: AsyncSession, prefix: str, now: datetime, tz: tzinfo) -> str:
    """The next free number of the local day of `now`."""
    day = now.astimezone(tz).date()
    head = day_prefix(prefix, day)
    highest = await session.scalar(
        select(func.max(WorkOrderRow.number)).where(WorkOrderRow.number.like(f"{head}%"))
    )
    return order_number(prefix, day, next_sequence(highest, head))


async def row_by_number(session: AsyncSession, number: str) -> WorkOrderRow | None:
    row: WorkOrderRow | None = await session.scalar(select(WorkOrderRow).where(WorkOrderRow.number == number))
    return row
