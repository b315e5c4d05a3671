"""Building dialer jobs: follow-ups of completed services, outage notices, callbacks.

Each job gets a `ref` naming what it is for, so the same request arriving twice (CLI re-run, MQTT
redelivery) schedules one job. Numbers go through hotline.phone_number (national form: +86 and
separators dropped); a number that cannot be dialled (anonymous caller, letters) is refused with a
clear error, never rewritten into another number. A number `outbound.dial_patterns` does not allow
(international, premium, service numbers) is refused with `DialRefused`, which carries the
policy's verdict so the daemon can count and publish it; an outage notice skips such phones.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from acd import dialer as core
from acd.dial_policy import DialRefusal
from hotline.dialer.config import dialer_settings
from hotline.dialer.models import OutboundJobRow
from hotline.dialer.store import NewJob
from hotline.phone_number import PhoneNumberError, normalise, vip_priority
from hotline.selfservice.local_time import to_local
from hotline.selfservice.models import AccountRow
from hotline.selfservice.records import Notice
from hotline.settings import Settings

FOLLOWUP_KINDS = {"repair": "故障报修", "complaint": "投诉", "new_connection": "新装用电"}
PURPOSE_NAMES = {"followup": "回访", "outage_notice": "停电通知", "callback": "回电"}
MAX_REF = 80


class JobRequestError(ValueError):
    """A request for a dialer job that cannot be scheduled; the message says why."""


class DialRefused(JobRequestError):
    """A number outbound.dial_patterns does not allow; `refusal` is the policy's verdict."""

    def __init__(self, refusal: DialRefusal, what: str) -> None:
        self.refusal = refusal
        super().__init__(
            f"{what} {refusal.number} may not be dialled: {refusal.detail} (outbound.dial_patterns)"
        )


def dialable(number: str, what: str = "number") -> str:
    """'+86 138-0000-1111' -> '13800001111'; JobRequestError for anything else than a number."""
    try:
        return normalise(number, what)
    except PhoneNumberError as exc:
        raise JobRequestError(f"{exc} (not a number the dialer can call)") from None


def allowed(settings: Settings, number: str, what: str = "number") -> str:
    """`dialable(number)` if outbound.dial_patterns allows it; DialRefused if not."""
    digits = dialable(number, what)
    refusal = settings.outbound.dial_policy.check(digits)
    if refusal is not None:
        raise DialRefused(refusal, what)
    return digits


def _priority(settings: Settings, number: str, base: int = 0) -> int:
    """`base`, raised for a key account (acd.vip_numbers, in any written form)."""
    return max(base, vip_priority(number, settings.acd.vip_numbers, settings.acd.vip_priority))


def followup_job(
    settings: Settings, *, order: str, kind: str, number: str, completed_at: datetime, now: datetime
) -> NewJob:
    """A 回访 for work order `order` (a fault repair, complaint or new connection) marked done."""
    order = order.strip()
    if not order or len(order) > MAX_REF:
        raise JobRequestError(f"work order {order!r} must be 1-{MAX_REF} characters")
    if kind not in FOLLOWUP_KINDS:
        raise JobRequestError(f"kind {kind!r} must be one of {', '.join(FOLLOWUP_KINDS)}")
    if completed_at.tzinfo is None:
        raise JobRequestError(f"completed_at {completed_at!r} needs a time zone")
    if completed_at > now + timedelta(minutes=5):
        raise JobRequestError(f"completed_at {completed_at.isoformat()} is in the future")
    digits = allowed(settings, number)
    not_before, deadline = core.followup_times(completed_at, dialer_settings(settings.outbound))
    return NewJob(
        id=uuid.uuid4().hex,
        purpose="followup",
        ref=f"order-{order}",
        number=digits,
        priority=_priority(settings, digits),
        not_before=not_before,
        deadline=deadline,
        max_attempts=settings.outbound.max_attempts.followup,
        created_at=now,
        payload={"order": order, "kind": kind, "completed_at": completed_at.isoformat()},
    )


async def notice_jobs(
    engine: AsyncEngine,
    settings: Settings,
    notice: Notice,
    now: datetime,
    on_refused: Callable[[DialRefused], None] | None = None,
) -> list[NewJob]:
    """One call per phone registered in the notice's area, key accounts first, to be made at
    least `notice_lead_days` before the outage (a notice published later is still called, at
    once, marked late). Nothing for a fault or an outage already begun. A phone the dial
    patterns do not allow is left out and handed to `on_refused`."""
    if notice.kind != "planned" or notice.starts_at <= now:
        return []
    lead = timedelta(days=settings.outbound.notice_lead_days)
    deadline = notice.starts_at - lead
    late = deadline <= now
    if late:
        deadline = notice.starts_at
    return [
        NewJob(
            id=uuid.uuid4().hex,
            purpose="outage_notice",
            ref=f"notice-{notice.id}:{digits}",
            number=digits,
            priority=_priority(settings, digits),
            not_before=now,
            deadline=deadline,
            max_attempts=settings.outbound.max_attempts.outage_notice,
            created_at=now,
            payload={
                "notice_id": str(notice.id),
                "area_code": notice.area_code,
                "starts_at": notice.starts_at.isoformat(),
                "ends_at": notice.ends_at.isoformat(),
                "late": "1" if late else "0",
            },
        )
        for digits in _allowed_only(settings, await _area_numbers(engine, notice.area_code), on_refused)
    ]


def _allowed_only(
    settings: Settings, numbers: list[str], on_refused: Callable[[DialRefused], None] | None
) -> list[str]:
    policy = settings.outbound.dial_policy
    kept = []
    for number in numbers:
        refusal = policy.check(number)
        if refusal is None:
            kept.append(number)
        elif on_refused is not None:
            on_refused(DialRefused(refusal, "account phone"))
    return kept


async def _area_numbers(engine: AsyncEngine, area_code: str) -> list[str]:
    """The dialable phones of the area's accounts, in account order, each once."""
    async with engine.connect() as conn:
        phones = (
            (
                await conn.execute(
                    select(AccountRow.phone)
                    .where(AccountRow.area_code == area_code, AccountRow.phone.is_not(None))
                    .order_by(AccountRow.account_number)
                )
            )
            .scalars()
            .all()
        )
    numbers: dict[str, None] = {}  # insertion-ordered, each number once
    for phone in filter(None, phones):
        try:
            numbers.setdefault(dialable(phone))
        except JobRequestError:
            continue  # a malformed phone in the billing export: nobody to call there
    return list(numbers)


def callback_job(
    settings: Settings,
    *,
    uniqueid: str,
    number: str,
    category: str | None,
    priority: int,
    why: str,
    now: datetime,
) -> NewJob:
    """Call back the caller of `uniqueid` (asked for it in the queue, or gave up after a long
    wait); answered, the call joins the queue with `priority`."""
    digits = allowed(settings, number, "caller number")
    return NewJob(
        id=uuid.uuid4().hex,
        purpose="callback",
        ref=f"call-{uniqueid}",
        number=digits,
        priority=_priority(settings, digits, priority),
        not_before=now,
        deadline=now + timedelta(hours=settings.outbound.callback_hours),
        max_attempts=settings.outbound.max_attempts.callback,
        created_at=now,
        payload={"call": uniqueid, "category": category or "other", "why": why},
    )


def job_from_row(row: OutboundJobRow) -> core.Job:
    """The core's view of a stored open job (a rescheduled one is due at `next_at`)."""
    last = row.reason if row.reason in core.RESULTS else None
    due = row.next_at or row.not_before
    return core.Job(
        id=row.id,
        number=row.number,
        purpose=row.purpose,
        not_before=min(due, row.deadline),
        deadline=row.deadline,
        priority=row.priority,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        last_result=last,
        payload=dict(row.payload),
    )


def content_of(dial: core.Dial) -> str:
    """What the try is about, for the attempt record (seed 000 §30: time, content, reason)."""
    p = dial.payload
    if dial.purpose == "followup":
        return f"回访 {FOLLOWUP_KINDS.get(p.get('kind', ''), p.get('kind'))} 工单 {p.get('order')}"
    if dial.purpose == "outage_notice":
        start = to_local(datetime.fromisoformat(p["starts_at"]))
        end = to_local(datetime.fromisoformat(p["ends_at"]))
        return (
            f"停电通知 地区 {p.get('area_code')} {start:%Y-%m-%d %H:%M} 至 "
            f"{end:%Y-%m-%d %H:%M}{' (晚于提前通知期)' if p.get('late') == '1' else ''}"
        )
    return f"回电 来电 {p.get('call')} ({p.get('why')})"
