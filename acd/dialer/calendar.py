"""Working days: Monday-Friday by default, minus holidays, plus make-up days (调休).

China moves working days around public holidays: a Saturday or Sunday can be a working day
(`extra_workdays`) and weekdays inside a holiday period are off (`holidays`; weekend days inside
the period may be listed too). The tables come from the site config, year by year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import DialerError, DialerTypeError

DAY = timedelta(days=1)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _dates(values: Iterable[date], what: str) -> frozenset[date]:
    out = frozenset(values)
    bad = sorted(repr(d) for d in out if isinstance(d, datetime) or not isinstance(d, date))
    if bad:
        raise DialerError(f"{what} must be dates (not datetimes), got {', '.join(bad)}")
    return out


def _check_day(d: object) -> date:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise DialerTypeError(f"expected a date (not a datetime), got {d!r}")
    return d


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): 5 = Saturday, 6 = Sunday

    def __post_init__(self) -> None:
        holidays = _dates(self.holidays, "holidays")
        extra = _dates(self.extra_workdays, "extra_workdays")
        weekend = frozenset(self.weekend)
        if not all(isinstance(w, int) and not isinstance(w, bool) and 0 <= w <= 6 for w in weekend):
            raise DialerError(
                f"weekend must be weekday numbers 0 (Monday) .. 6 (Sunday), got {sorted(weekend, key=repr)}"
            )
        if len(weekend) == 7:
            raise DialerError("weekend cannot cover all 7 days of the week")
        both = sorted(holidays & extra)
        if both:
            raise DialerError(
                f"dates both holiday and extra working day: {', '.join(d.isoformat() for d in both)}"
            )
        weekday_extra = sorted(d for d in extra if d.weekday() not in weekend)
        if weekday_extra:
            raise DialerError(
                "extra working days must fall on the weekend (they are working days "
                "anyway): " + ", ".join(f"{d.isoformat()} ({WEEKDAYS[d.weekday()]})" for d in weekday_extra)
            )
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "extra_workdays", extra)
        object.__setattr__(self, "weekend", weekend)

    def is_working_day(self, d: date) -> bool:
        _check_day(d)
        if d in self.extra_workdays:
            return True
        return d not in self.holidays and d.weekday() not in self.weekend

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d = _check_day(d) + DAY
        while not self.is_working_day(d):  # ends: holidays are finite, a weekday is working
            d += DAY
        return d

    def working_day_on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def working_days_from(self, d: date, n: int) -> date:
        """The n-th working day counting from `d` (day 1 is `d` itself if it is a working day,
        else the next working day). n >= 1."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise DialerError(f"n must be an int >= 1, got {n!r}")
        d = self.working_day_on_or_after(d)
        for _ in range(n - 1):
            d = self.next_working_day(d)
        return d
