"""Which recordings the daily retention job deletes, and when it runs: pure (no I/O, no clock).

The rule, in the center's local time: the recordings of a call are kept for `months` whole
calendar months after the local DAY the call started, and deleted from the next day on. The
limit is local midnight of today's date minus `months` months (the day clamped to the end of a
shorter month); a call that started before it has expired:

    today 2026-06-15, 3 months -> limit 2026-03-15 00:00 local: a call of 03-14 23:59 goes,
                                  one of 03-15 00:00 stays (until 06-16)
    today 2026-05-31, 3 months -> limit 2026-02-28 00:00: the clamp keeps recordings LONGER
                                  (02-28 stays until 06-01), never shorter
    today 2027-01-10, 3 months -> limit 2026-10-10 00:00 (across the new year)

So an expired call started more than `months` months before now, counted on the calendar: the
job never deletes a younger recording, whatever the day or the month lengths.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.store.utc_datetime import require_aware

DELETED, MISSING, REFUSED = "deleted", "missing", "refused"  # what became of one file


@dataclass(frozen=True)
class RetentionRow:
    """A call whose recordings may go: its files as the store names them."""

    uniqueid: str
    started_at: datetime
    paths: tuple[str, ...]
    recording_deleted_at: datetime | None = None


def months_before(day: date, months: int) -> date:
    """`day` minus `months` calendar months, the day clamped to the month's last."""
    if months < 0:
        raise ValueError(f"months must not be negative, got {months}")
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def limit(now: datetime, months: int, tz: ZoneInfo) -> datetime:
    """The instant before which a call's recordings have expired (see the module doc)."""
    today = require_aware(now, "now").astimezone(tz).date()
    return datetime.combine(months_before(today, months), time(0), tzinfo=tz)


def expired(rows: Iterable[RetentionRow], now: datetime, months: int, tz: ZoneInfo) -> list[RetentionRow]:
    """The rows whose recordings the job deletes now: started before the limit, with files,
    not already done."""
    before = limit(now, months, tz)
    return [
        r
        for r in rows
        if require_aware(r.started_at, "started_at") < before and r.paths and r.recording_deleted_at is None
    ]


def row_reason(results: Sequence[str]) -> str | None:
    """What the call row says once its files were dealt with: "retention" (deleted), or
    "retention_missing" (none was there any more); None while a file could not be deleted
    (refused, or an error): the row stays as it is and the next day's run tries again."""
    if not results or any(r not in (DELETED, MISSING) for r in results):
        return None
    return "retention_missing" if all(r == MISSING for r in results) else "retention"


def next_run(now: datetime, minutes_after_midnight: int, tz: ZoneInfo) -> datetime:
    """The first local time of day `minutes_after_midnight` strictly after `now` (aware)."""
    if not 0 <= minutes_after_midnight < 24 * 60:
        raise ValueError(f"minutes after midnight must be 0..1439, got {minutes_after_midnight}")
    local = require_aware(now, "now").astimezone(tz)
    at = time(minutes_after_midnight // 60, minutes_after_midnight % 60)
    day = local.date()
    while True:
        candidate = datetime.combine(day, at, tzinfo=tz)
        if candidate > local:
            return candidate
        day += timedelta(days=1)
