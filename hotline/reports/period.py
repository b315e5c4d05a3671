"""Report periods: [start, end) in the center's local time zone (days and hours are local).

A call belongs to the local day and hour in which it STARTED (`calls.started_at`): a call that
starts at 23:59:50 and ends after midnight counts on the first day only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.store.utc_datetime import require_aware

DEFAULT_TZ = "Asia/Shanghai"
SLOT_S = 900  # SQL groups by UTC quarter hour: every zone offset in use is a multiple of 15 min
FIRST_YEAR, LAST_YEAR = 1970, 2999  # reports cover these years (no call before 1970; the end of
#                                     a period in 9999 is not a datetime any more)


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (e.g. 'Asia/Shanghai'), or ValueError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Asia/Shanghai'") from None


@dataclass(frozen=True)
class Period:
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    tz: ZoneInfo
    kind: str = "custom"  # day | month | year | custom
    label: str = ""

    def __post_init__(self) -> None:
        require_aware(self.start, "period start")
        require_aware(self.end, "period end")
        if self.end <= self.start:
            raise ValueError(
                f"period end {self.end.isoformat()} is not after its start {self.start.isoformat()}"
            )
        for when in (self.start, self.end):
            offset = when.astimezone(self.tz).utcoffset()
            if offset is None or offset.total_seconds() % SLOT_S:
                raise ValueError(
                    f"time zone {self.tz.key} has the offset {offset} at {when.isoformat()}: "
                    "reports need offsets in whole quarter hours"
                )

    @property
    def days(self) -> list[date]:
        """Every local date the period touches, in order."""
        first = self.start.astimezone(self.tz).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(self.tz).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def local_hour_of_slot(self, slot: int) -> tuple[date, int]:
        """The local (date, hour) of UTC quarter hour number `slot` (seconds since 1970 / 900)."""
        local = datetime.fromtimestamp(slot * SLOT_S, UTC).astimezone(self.tz)
        return local.date(), local.hour


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def day_period(day: date, tz: ZoneInfo) -> Period:
    return Period(
        _local_midnight(day, tz), _local_midnight(day + timedelta(days=1), tz), tz, "day", day.isoformat()
    )


def month_period(year: int, month: int, tz: ZoneInfo) -> Period:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(
        _local_midnight(first, tz), _local_midnight(following, tz), tz, "month", f"{year:04d}-{month:02d}"
    )


def year_period(year: int, tz: ZoneInfo) -> Period:
    return Period(
        _local_midnight(date(year, 1, 1), tz),
        _local_midnight(date(year + 1, 1, 1), tz),
        tz,
        "year",
        f"{year:04d}",
    )


def parse_period(
    *, day: str | None = None, month: str | None = None, year: str | None = None, tz: ZoneInfo
) -> Period:
    """Exactly one of day '2026-11-23', month '2026-11', year '2026' -> its local Period."""
    given = [(name, value) for name, value in (("day", day), ("month", month), ("year", year)) if value]
    if len(given) != 1:
        raise ValueError("give exactly one of --day YYYY-MM-DD, --month YYYY-MM, --year YYYY")
    name, value = given[0]
    value = value.strip()
    if re.match(r"[0-9]{4}", value) and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        raise ValueError(
            f"--{name} {value!r} is out of range: reports cover the years {FIRST_YEAR}-{LAST_YEAR}"
        )
    if name == "day":
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(f"--day {value!r} is not a date such as 2026-11-23")
        try:
            return day_period(date.fromisoformat(value), tz)
        except ValueError as exc:
            raise ValueError(f"--day {value!r}: {exc}") from None
    if name == "month":
        m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value)
        if not m or not 1 <= int(m[2]) <= 12:
            raise ValueError(f"--month {value!r} is not a month such as 2026-11")
        return month_period(int(m[1]), int(m[2]), tz)
    if not re.fullmatch(r"[0-9]{4}", value):
        raise ValueError(f"--year {value!r} is not a year such as 2026")
    return year_period(int(value), tz)
