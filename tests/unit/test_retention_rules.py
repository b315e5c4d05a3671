"""The retention rule: which calls' recordings have expired, in local calendar months; never a
recording younger than the limit, whatever the day or the month lengths."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.recordings.retention_rules import (
    DELETED,
    MISSING,
    REFUSED,
    RetentionRow,
    expired,
    limit,
    months_before,
    next_run,
    row_reason,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 6, 15), 3, date(2026, 3, 15)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),  # clamped: kept longer
        (date(2028, 5, 31), 3, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 10), 3, date(2026, 10, 10)),  # across the new year
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 31), 12, date(2025, 12, 31)),
        (date(2026, 6, 15), 0, date(2026, 6, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_the_limit_is_local_midnight():
    now = datetime(2026, 6, 14, 17, 0, tzinfo=UTC)  # already 06-15 01:00 in Shanghai
    assert limit(now, 3, SHANGHAI) == local("2026-03-15 00:00:00")


def test_expired_takes_only_rows_before_the_limit_with_files_not_done():
    now = local("2026-06-15 10:00:00")
    rows = [
        RetentionRow("edge-old", local("2026-03-14 23:59:59.999999"), ("a",)),
        RetentionRow("edge-young", local("2026-03-15 00:00:00"), ("b",)),
        RetentionRow("no-files", local("2026-01-01 00:00:00"), ()),
        RetentionRow(
            "done", local("2026-01-01 00:00:00"), ("c",), recording_deleted_at=local("2026-04-02 03:30:00")
        ),
        RetentionRow(
            "utc-row", datetime(2026, 3, 14, 15, 59, 59, tzinfo=UTC), ("d",)
        ),  # 03-14 23:59:59 local
        RetentionRow("utc-young", datetime(2026, 3, 14, 16, 0, tzinfo=UTC), ("e",)),  # 03-15 00:00 local
    ]
    assert [r.uniqueid for r in expired(rows, now, 3, SHANGHAI)] == ["edge-old", "utc-row"]


def _add_months(moment: datetime, months: int) -> datetime:
    """The same local day and time `months` later (clamped to the month's end): a recording's
    minimum keeping time according to the norm."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@pytest.mark.parametrize("months", [3, 4, 6, 12, 13])
def test_no_recording_younger_than_the_months_is_ever_expired(months):
    """Every day of two years as today: the last instant that expires (just before the limit) is
    more than `months` calendar months old, and the limit itself is not expired."""
    day = date(2027, 1, 1)
    while day < date(2029, 1, 1):
        now = datetime.combine(day, time(0, 0, 1), tzinfo=SHANGHAI)
        edge = limit(now, months, SHANGHAI)
        newest_expired = edge - timedelta(microseconds=1)
        assert _add_months(newest_expired, months) < now, (day, months)
        rows = [RetentionRow("x", newest_expired, ("p",)), RetentionRow("y", edge, ("p",))]
        assert [r.uniqueid for r in expired(rows, now, months, SHANGHAI)] == ["x"]
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("results", "reason"),
    [
        ([DELETED], "retention"),
        ([DELETED, MISSING], "retention"),
        ([MISSING, MISSING], "retention_missing"),
        ([DELETED, REFUSED], None),
        ([REFUSED], None),
        ([], None),
    ],
)
def test_what_the_row_says(results, reason):
    assert row_reason(results) == reason


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-06-15 10:00:00", "2026-06-16 03:30:00"),
        ("2026-06-15 03:29:59", "2026-06-15 03:30:00"),
        ("2026-06-15 03:30:00", "2026-06-16 03:30:00"),  # just ran: tomorrow
        ("2026-12-31 23:00:00", "2027-01-01 03:30:00"),
    ],
)
def test_next_run(now, expected):
    assert next_run(local(now).astimezone(UTC), 3 * 60 + 30, SHANGHAI) == local(expected)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="must be timezone-aware"):
        limit(datetime(2026, 1, 1), 3, SHANGHAI)
    with pytest.raises(ValueError, match="0..1439"):
        next_run(local("2026-01-01 00:00:00"), 1440, SHANGHAI)
    with pytest.raises(ValueError, match="negative"):
        months_before(date(2026, 1, 1), -1)
