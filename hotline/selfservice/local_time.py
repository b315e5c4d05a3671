"""The call center's local time (Asia/Shanghai): parsing what operators type, and reading out."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # times from outside must lie in
LATEST = datetime(3000, 1, 1, tzinfo=UTC)  # [EARLIEST, LATEST): any zone can show them


def check_range(value: datetime, what: str = "time") -> datetime:
    """`value` (aware) if it lies between 1970 and 2999; ValueError otherwise, also for a time
    that has no UTC equivalent at all (9999-12-31T20:00-14:00 is in the year 10000 in UTC)."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise ValueError(
            f"{what} {value.isoformat()} is out of range: give a time between "
            f"{EARLIEST.year} and {LATEST.year - 1}"
        )
    return value


def parse_local(text: str, what: str = "time") -> datetime:
    """'2026-11-30 08:00' (local time) or with an offset ('2026-11-30T08:00+08:00') -> aware,
    between 1970 and 2999."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{what} {text!r} is not a date and time such as '2026-11-30 08:00' "
            "(optionally with an offset: '2026-11-30 08:00+08:00')"
        ) from None
    return check_range(value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value, what)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"refusing to convert the naive datetime {value!r} to local time")
    return value.astimezone(LOCAL_TZ)
