"""rollup_read._whole_local_hours: when the rollup's quarter hours may be read summed per UTC hour
(each UTC hour inside one local hour) and when not (a zone off by a half or a quarter hour, or
a transition by half an hour)."""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.reports.period import zone
from hotline.reports.rollup import day_number
from hotline.reports.rollup_read import _whole_local_hours


def _days(first: str, last: str) -> list[tuple[int, int]]:
    lo = day_number(datetime.fromisoformat(first).replace(tzinfo=UTC))
    hi = day_number(datetime.fromisoformat(last).replace(tzinfo=UTC))
    return [(lo, hi + 1)]


def test_whole_hour_zones_with_and_without_summer_time():
    year = _days("2026-01-01", "2026-12-31")
    assert _whole_local_hours(zone("Asia/Shanghai"), year)
    assert _whole_local_hours(zone("UTC"), year)
    assert _whole_local_hours(zone("Europe/Berlin"), year)  # DST moves by an hour, at a whole hour


def test_half_and_quarter_hour_zones_are_read_by_quarter_hour():
    year = _days("2026-01-01", "2026-12-31")
    assert not _whole_local_hours(zone("Asia/Kolkata"), year)  # +05:30
    assert not _whole_local_hours(zone("Asia/Kathmandu"), year)  # +05:45
    # +10:30 in winter, +11:00 in summer: whole-hour in summer only, the transition day is not
    assert not _whole_local_hours(zone("Australia/Lord_Howe"), year)
    assert not _whole_local_hours(zone("Australia/Lord_Howe"), _days("2026-07-01", "2026-07-02"))


def test_no_days_is_trivially_whole():
    assert _whole_local_hours(zone("Asia/Kolkata"), [])
