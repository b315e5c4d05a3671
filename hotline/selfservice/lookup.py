"""Answers to the IVR core's `Lookup(kind, value)`: the prompt ids and `Say` items to play.

Kinds (ivr.menu_model.LookupKind, see config/menu.yaml): `bill` and `usage` (value: the account
number entered), `outage_by_area` (value: the area code entered), `outage_by_caller` (value: the
caller's number). `repair_progress` has no data here yet and, like any other kind, is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.selfservice.local_time import to_local
from hotline.selfservice.queries import account, outages_for_area, outages_for_phone
from hotline.selfservice.records import Account, Notice
from ivr.events import PlayItem, Say

MAX_NOTICES_READ = 3  # planned outages read out per lookup (the nearest ones)
KINDS: tuple[str, ...] = ("bill", "usage", "outage_by_area", "outage_by_caller")


class UnknownLookupKind(ValueError):
    pass


def usage_items(acct: Account) -> tuple[PlayItem, ...]:
    """您本期用电量为 一百二十五点五 度."""
    return ("bill_usage", Say("number", str(acct.last_usage_kwh)), "du")


def bill_items(acct: Account) -> tuple[PlayItem, ...]:
    """您的账户余额为 (负)…元, 您本期应缴电费为 …元, 您本期用电量为 …度."""
    return (
        "bill_balance",
        Say("amount", str(acct.balance)),
        "bill_amount_due",
        Say("amount", str(acct.last_bill_amount)),
        *usage_items(acct),
    )


def notice_when(starts_at: datetime, ends_at: datetime) -> tuple[PlayItem, ...]:
    """二零二六年十一月三十日八点整 至 十八点整 (the end date only when it is another day)."""
    start, end = to_local(starts_at), to_local(ends_at)
    end_day = (Say("date", end.date().isoformat()),) if end.date() != start.date() else ()
    return (
        Say("date", start.date().isoformat()),
        Say("time", start.strftime("%H:%M")),
        "outage_until",
        *end_day,
        Say("time", end.strftime("%H:%M")),
    )


def notice_items(notices: list[Notice]) -> tuple[PlayItem, ...]:
    """Planned outages with their times (the nearest MAX_NOTICES_READ), then a known fault."""
    if not notices:
        return ("outage_none",)
    items: list[PlayItem] = []
    for notice in [n for n in notices if n.kind == "planned"][:MAX_NOTICES_READ]:
        items += ("outage_planned", *notice_when(notice.starts_at, notice.ends_at))
    if any(n.kind == "fault" for n in notices):
        items.append("outage_fault_known")
    return tuple(items)


async def lookup(
    engine: AsyncEngine, kind: str, value: str, *, caller_number: str, now: datetime
) -> tuple[PlayItem, ...]:
    """What to say for one lookup (ready for `LookupResult(items)`)."""
    if kind in ("bill", "usage"):
        acct = await account(engine, value)
        if acct is None:
            return ("account_not_found",)
        return bill_items(acct) if kind == "bill" else usage_items(acct)
    if kind == "outage_by_area":
        return notice_items(await outages_for_area(engine, value, now))
    if kind == "outage_by_caller":
        notices = await outages_for_phone(engine, value or caller_number, now)
        return ("outage_not_registered",) if notices is None else notice_items(notices)
    raise UnknownLookupKind(f"no self-service lookup of kind {kind!r}: this one answers {', '.join(KINDS)}")
