"""Working-day calendar (holidays, 调休 make-up days) and the daily call window."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from acd.dialer import CallWindow, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
# 2025 National Day + Mid-Autumn: Oct 1-8 off; Sunday Sep 28 and Saturday Oct 11 are working days
GUOQING = WorkCalendar(
    holidays=frozenset(date(2025, 10, d) for d in range(1, 9)),
    extra_workdays=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
)


def test_default_calendar_is_monday_to_friday():
    cal = WorkCalendar()
    assert [cal.is_working_day(date(2026, 11, d)) for d in range(16, 23)] == [True] * 5 + [False, False]


def test_holidays_are_off_and_make_up_days_are_on():
    assert not GUOQING.is_working_day(date(2025, 10, 1))  # Wednesday, holiday
    assert not GUOQING.is_working_day(date(2025, 10, 4))  # Saturday inside the period
    assert GUOQING.is_working_day(date(2025, 9, 28))  # make-up Sunday
    assert GUOQING.is_working_day(date(2025, 10, 11))  # make-up Saturday
    assert not GUOQING.is_working_day(date(2025, 10, 12))  # an ordinary Sunday


def test_next_working_day_is_strictly_after():
    assert GUOQING.next_working_day(date(2025, 9, 26)) == date(2025, 9, 28)  # Fri -> make-up Sun
    assert GUOQING.next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)  # over the holidays
    assert GUOQING.next_working_day(date(2025, 10, 10)) == date(2025, 10, 11)
    assert WorkCalendar().next_working_day(date(2026, 11, 23)) == date(2026, 11, 24)
    assert WorkCalendar().next_working_day(date(2026, 11, 20)) == date(2026, 11, 23)


def test_working_days_from_counts_the_first_day():
    cal = WorkCalendar()
    assert cal.working_days_from(date(2026, 11, 23), 1) == date(2026, 11, 23)
    assert cal.working_days_from(date(2026, 11, 23), 3) == date(2026, 11, 25)
    assert cal.working_days_from(date(2026, 11, 21), 1) == date(2026, 11, 23)  # Saturday start
    assert GUOQING.working_days_from(date(2025, 9, 30), 3) == date(2025, 10, 10)
    assert GUOQING.working_day_on_or_after(date(2025, 10, 3)) == date(2025, 10, 9)
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        cal.working_days_from(date(2026, 11, 23), 0)


def test_custom_weekend():
    cal = WorkCalendar(weekend=frozenset({4}))  # Friday off only
    assert not cal.is_working_day(date(2026, 11, 20))
    assert cal.is_working_day(date(2026, 11, 21))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"holidays": frozenset({date(2025, 10, 11)}), "extra_workdays": frozenset({date(2025, 10, 11)})},
            "both holiday and extra working day: 2025-10-11",
        ),
        (
            {"extra_workdays": frozenset({date(2025, 10, 14)})},
            r"must fall on the weekend.*2025-10-14 \(Tuesday\)",
        ),
        ({"weekend": frozenset(range(7))}, "cannot cover all 7 days"),
        ({"weekend": frozenset({7})}, "weekday numbers 0"),
        ({"holidays": frozenset({datetime(2025, 10, 1)})}, "must be dates"),
    ],
)
def test_contradictions_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WorkCalendar(**kwargs)


def test_a_datetime_is_not_a_day():
    with pytest.raises(TypeError, match="not a datetime"):
        WorkCalendar().is_working_day(datetime(2026, 11, 23, 9, 0))


def test_tables_from_config_lists_are_frozen():
    cal = WorkCalendar(holidays=[date(2026, 1, 1)])  # type: ignore[arg-type]
    assert cal.holidays == frozenset({date(2026, 1, 1)})
    assert not cal.is_working_day(date(2026, 1, 1))


# --- the call window ---------------------------------------------------------------------------

W = CallWindow(time(8), time(20))


@pytest.mark.parametrize(
    "wall, inside",
    [
        (time(7, 59, 59), False),
        (time(8, 0), True),
        (time(12, 0), True),
        (time(19, 59, 59, 999999), True),
        (time(20, 0), False),
        (time(23, 59), False),
    ],
)
def test_window_is_start_inclusive_end_exclusive(wall, inside):
    assert W.contains(datetime.combine(date(2026, 11, 23), wall, tzinfo=SH)) is inside


def test_next_open():
    mon = date(2026, 11, 23)
    at = lambda d, h, m=0, s=0: datetime(d.year, d.month, d.day, h, m, s, tzinfo=SH)  # noqa: E731
    assert W.next_open(at(mon, 7, 59, 59)) == at(mon, 8)
    assert W.next_open(at(mon, 9, 30)) == at(mon, 9, 30)
    assert W.next_open(at(mon, 20)) == at(date(2026, 11, 24), 8)
    fri, sat = date(2026, 11, 20), date(2026, 11, 21)
    assert W.next_open(at(fri, 20, 0)) == at(sat, 8)  # any day
    assert W.next_open(at(fri, 20, 0), WorkCalendar()) == at(mon, 8)  # working days
    assert W.next_open(at(sat, 10), WorkCalendar()) == at(mon, 8)
    assert W.next_open(at(date(2025, 10, 10), 21), GUOQING) == at(date(2025, 10, 11), 8)
    assert W.next_open(at(mon, 9)).tzinfo is SH


def test_open_and_close_of_a_day():
    assert W.close_of(date(2026, 11, 25), SH) == datetime(2026, 11, 25, 20, tzinfo=SH)
    assert W.open_of(date(2026, 11, 25)) == datetime(2026, 11, 25, 8)


@pytest.mark.parametrize(
    "start, end, message",
    [
        (time(20), time(8), "must be before end"),
        (time(8), time(8), "must be before end"),
        (time(8, tzinfo=SH), time(20), "naive local time"),
        ("08:00", time(20), "naive local time"),
    ],
)
def test_window_validation(start, end, message):
    with pytest.raises(ValueError, match=message):
        CallWindow(start, end)
