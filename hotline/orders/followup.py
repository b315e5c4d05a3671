"""The follow-up call (回访, seed 000 §30: within 1 working day) of a closed order, through the
same path as MQTT `<prefix>/dispatch/service_done`: a `ServiceDone` handed to a scheduler.

- In the daemon the scheduler is `OutboundRuntime.schedule_followup` (stores the job and hands it
  to the dialer at once; a number outbound.dial_patterns refuses is counted and published).
- The CLI uses `stored_scheduler` (the job is stored; the command then tells the daemon to read
  it, hotline.cli.tell_daemon), like `hotline outbound done`.

Repairs are followed up as `repair`, complaints and reports as `complaint`. A follow-up that
cannot be made (no caller number, a number on the do-not-call list, one that cannot or may not
be dialled) does not stop the closing: the reason goes into the order's history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.dialer import store as dialer_store
from hotline.dialer.jobs import JobRequestError, followup_job
from hotline.dialer.models import DncRow, OutboundJobRow
from hotline.dialer.service_done import ServiceDone
from hotline.orders.intake import problems
from hotline.orders.records import WorkOrder
from hotline.settings import Settings

FollowupScheduler = Callable[[ServiceDone], Awaitable[list[str]]]  # -> the ids of new jobs
FollowupKind = Literal["repair", "complaint", "new_connection"]
FOLLOWUP_KIND: dict[str, FollowupKind] = {"repair": "repair", "complaint": "complaint", "report": "complaint"}


@dataclass(frozen=True)
class Followup:
    job_id: str | None  # the dialer job (outbound_jobs.id)
    refused: str | None  # why there is none


async def schedule_followup_of(
    engine: AsyncEngine, order: WorkOrder, completed_at: datetime, schedule: FollowupScheduler
) -> Followup:
    """Ask `schedule` for the order's 回访; the job (a new one, or the one an earlier try of the
    same closing made), or why there is none. Other errors (the database is away) propagate."""
    number = order.caller_number
    if number is None:
        return Followup(None, "无来电号码，不能回访 (no caller number)")
    if await _on_dnc_list(engine, number):
        return Followup(None, f"号码 {number} 在免打扰名单上，不回访 (do-not-call list)")
    try:
        msg = ServiceDone(
            order=order.number, kind=FOLLOWUP_KIND[order.kind], number=number, completed_at=completed_at
        )
    except ValidationError as exc:
        return Followup(None, f"不能回访: {problems(exc)}")
    try:
        new = await schedule(msg)
    except JobRequestError as exc:  # not dialable, or outbound.dial_patterns refuses it
        return Followup(None, f"不能回访: {exc}")
    return Followup(new[0] if new else await _known_job(engine, order.number), None)


def stored_scheduler(engine: AsyncEngine, settings: Settings, now: datetime) -> FollowupScheduler:
    """For the CLI: build the job as `hotline outbound done` does and store it."""

    async def schedule(msg: ServiceDone) -> list[str]:
        job = followup_job(
            settings,
            order=msg.order,
            kind=msg.kind,
            number=msg.number,
            completed_at=msg.completed_at,
            now=now,
        )
        return await dialer_store.insert_jobs(engine, [job])

    return schedule


async def _on_dnc_list(engine: AsyncEngine, number: str) -> bool:
    async with engine.connect() as conn:
        return (await conn.scalar(select(DncRow.number).where(DncRow.number == number))) is not None


async def _known_job(engine: AsyncEngine, order_number: str) -> str | None:
    """The follow-up job stored for the order before (the scheduler inserts each order's once)."""
    job = OutboundJobRow
    async with engine.connect() as conn:
        found: str | None = await conn.scalar(
            select(job.id).where(job.purpose == "followup", job.ref == f"order-{order_number}")
        )
    return found
