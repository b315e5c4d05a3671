"""Due dates of complaints and reports (seed 000 §26: answered within 5 working days, settled
within 10; `orders.answer_working_days` / `orders.settle_working_days`) and whether an order is
overdue. Pure: the time is passed in.

The rule. An order created at local time T on day D is due at the end (24:00 local, stored as
00:00 of the next calendar day) of the N-th working day *after* D, on the dialer's calendar
(weekends off, `outbound.holidays` off, `outbound.extra_workdays` (调休) worked):

- the day of creation never counts, whatever the hour and whether it is a working day: an order
  taken at 08:00 and one taken at 23:50 get the same time, as "N个工作日内" is counted from the
  next day (受理次日起算);
- an order created on a Saturday, a Sunday or a holiday starts counting on the next working day;
- created Monday 2026-11-23, 5 working days: Tue, Wed, Thu, Fri, Mon -> due 2026-11-30 24:00.

Overdue, at `now`: the answer while the order is neither answered nor closed and now >= the
answer due time; the settlement while it is not closed and now >= the settle due time. Repairs
have no due dates (they are dispatched at once) and are never overdue here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from acd.dialer import WorkCalendar

DAY = timedelta(days=1)


@dataclass(frozen=True)
class DueDates:
    answer: datetime  # UTC
    settle: datetime


def due_after(created_at: datetime, working_days: int, calendar: WorkCalendar, tz: tzinfo) -> datetime:
    """The end (next local midnight, in UTC) of the `working_days`-th working day after the local
    day of `created_at` (see the module doc)."""
    if created_at.tzinfo is None:
        raise ValueError(f"created_at {created_at!r} needs a time zone")
    if working_days < 1:
        raise ValueError(f"working_days must be >= 1, got {working_days}")
    day: date = created_at.astimezone(tz).date()
    for _ in range(working_days):
        day = calendar.next_working_day(day)
    return datetime.combine(day + DAY, time(0), tzinfo=tz).astimezone(UTC)


def due_dates(
    created_at: datetime, answer_days: int, settle_days: int, calendar: WorkCalendar, tz: tzinfo
) -> DueDates:
    return DueDates(
        answer=due_after(created_at, answer_days, calendar, tz),
        settle=due_after(created_at, settle_days, calendar, tz),
    )


def answer_overdue(
    answer_due: datetime | None, answered_at: datetime | None, closed_at: datetime | None, now: datetime
) -> bool:
    return answer_due is not None and answered_at is None and closed_at is None and now >= answer_due


def settle_overdue(settle_due: datetime | None, closed_at: datetime | None, now: datetime) -> bool:
    return settle_due is not None and closed_at is None and now >= settle_due


def due_label(due: datetime, tz: tzinfo) -> str:
    """A due time as people read it: the end of a day is '2026-11-30 24:00' (not 12-01 00:00)."""
    local = due.astimezone(tz)
    if local.time() == time(0):
        return f"{(local - DAY):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"
