"""Due dates of complaints and reports (seed 000 §26), hand-computed on the working-day calendar:
the end (24:00 local) of the N-th working day after the local day the order was taken."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from acd.dialer import WorkCalendar
from hotline.orders.due_dates import answer_overdue, due_after, due_dates, due_label, settle_overdue
from hotline.selfservice.local_time import LOCAL_TZ

PLAIN = WorkCalendar()
# a made-up National Day week: Thu 10-01 .. Wed 10-07 off; Sun 09-27 and Sat 10-10 worked (调休)
GOLDEN_WEEK = WorkCalendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    extra_workdays=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
)


def local(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LOCAL_TZ)


def end_of(y: int, mo: int, d: int) -> datetime:
    """24:00 local of that day, in UTC (00:00 local of the next day = 16:00 UTC that day)."""
    return datetime(y, mo, d, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("created", "answer", "settle"),
    [
        # Monday: Tue 24, Wed, Thu, Fri, Mon 30 = 5th; Tue 12-01 .. Mon 12-07 = 10th
        (local(2026, 11, 23, 9), end_of(2026, 11, 30), end_of(2026, 12, 7)),
        (local(2026, 11, 23, 23, 50), end_of(2026, 11, 30), end_of(2026, 12, 7)),  # the hour is no matter
        # Thursday: Fri 27, Mon 30, Tue 1, Wed 2, Thu 3; then Fri 4, Mon 7, Tue 8, Wed 9, Thu 10
        (local(2026, 11, 26), end_of(2026, 12, 3), end_of(2026, 12, 10)),
        # Friday late, Saturday, Sunday: counting starts Monday 30 -> Fri 12-04, Fri 12-11
        (local(2026, 11, 27, 23, 59), end_of(2026, 12, 4), end_of(2026, 12, 11)),
        (local(2026, 11, 28, 8), end_of(2026, 12, 4), end_of(2026, 12, 11)),
        (local(2026, 11, 29, 20), end_of(2026, 12, 4), end_of(2026, 12, 11)),
    ],
)
def test_over_weekends(created, answer, settle):
    due = due_dates(created, 5, 10, PLAIN, LOCAL_TZ)
    assert (due.answer, due.settle) == (answer, settle)


def test_the_local_day_counts_not_the_utc_one():
    thursday_late = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)  # Thu 23:30 in Shanghai
    friday_early = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)  # Fri 00:30 in Shanghai
    assert due_after(thursday_late, 5, PLAIN, LOCAL_TZ) == end_of(2026, 12, 3)
    assert due_after(friday_early, 5, PLAIN, LOCAL_TZ) == end_of(2026, 12, 4)


@pytest.mark.parametrize(
    ("created", "answer", "settle"),
    [
        # Wed 09-30: 10-01..07 off; Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13 = 5th;
        # Wed 14, Thu 15, Fri 16, Mon 19, Tue 20 = 10th
        (local(2026, 9, 30), end_of(2026, 10, 13), end_of(2026, 10, 20)),
        # taken inside the holiday (Sat 10-03): the same
        (local(2026, 10, 3), end_of(2026, 10, 13), end_of(2026, 10, 20)),
        # taken on the 调休 Sunday 09-27 (a working day, but the day taken never counts):
        # Mon 28, Tue 29, Wed 30, Thu 10-08, Fri 10-09; Sat 10, Mon 12, Tue 13, Wed 14, Thu 15
        (local(2026, 9, 27), end_of(2026, 10, 9), end_of(2026, 10, 15)),
        # Fri 10-09: the 调休 Saturday 10-10 is day 1: Sat 10, Mon 12, Tue 13, Wed 14, Thu 15
        (local(2026, 10, 9), end_of(2026, 10, 15), end_of(2026, 10, 22)),
    ],
)
def test_over_holidays_and_make_up_days(created, answer, settle):
    due = due_dates(created, 5, 10, GOLDEN_WEEK, LOCAL_TZ)
    assert (due.answer, due.settle) == (answer, settle)


def test_one_working_day_and_bad_input():
    assert due_after(local(2026, 11, 27), 1, PLAIN, LOCAL_TZ) == end_of(2026, 11, 30)  # Fri -> Mon
    with pytest.raises(ValueError, match="time zone"):
        due_after(datetime(2026, 11, 27, 10), 5, PLAIN, LOCAL_TZ)
    with pytest.raises(ValueError, match=">= 1"):
        due_after(local(2026, 11, 27), 0, PLAIN, LOCAL_TZ)


def test_overdue_from_the_due_moment_until_answered_or_closed():
    due = end_of(2026, 11, 30)
    just_before, at = due - timedelta(microseconds=1), due
    assert not answer_overdue(due, None, None, just_before)
    assert answer_overdue(due, None, None, at)
    assert not answer_overdue(due, at - timedelta(days=1), None, at + timedelta(days=3))  # answered
    assert not answer_overdue(due, None, at, at + timedelta(days=3))  # closed without an answer
    assert not answer_overdue(None, None, None, at)  # a repair has no due date
    assert settle_overdue(due, None, at)
    assert not settle_overdue(due, None, just_before)
    assert not settle_overdue(due, at + timedelta(hours=1), at + timedelta(days=3))


def test_labels_read_the_end_of_a_day_as_24_00():
    assert due_label(end_of(2026, 11, 30), LOCAL_TZ) == "2026-11-30 24:00"
    assert due_label(datetime(2026, 11, 30, 1, 30, tzinfo=UTC), LOCAL_TZ) == "2026-11-30 09:30"
