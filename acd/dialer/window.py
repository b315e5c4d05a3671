"""The daily call window in local wall time: [start, end), 08:00-20:00 by default.

A call may start at `start` and must start before `end` (so 20:00:00 is outside). Methods take
local datetimes (aware in the site's zone, or naive local) and keep their tzinfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from .calendar import DAY, WorkCalendar
from .errors import DialerError


@dataclass(frozen=True, slots=True)
class CallWindow:
    start: time = time(8, 0)
    end: time = time(20, 0)

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise DialerError(f"call window {name} must be a naive local time, got {value!r}")
        if not self.start < self.end:
            raise DialerError(
                f"call window start {self.start} must be before end {self.end} "
                f"(a window cannot cross midnight)"
            )

    def contains(self, local_dt: datetime) -> bool:
        return self.start <= local_dt.time() < self.end

    def open_of(self, day: date, tz: tzinfo | None = None) -> datetime:
        return datetime.combine(day, self.start, tzinfo=tz)

    def close_of(self, day: date, tz: tzinfo | None = None) -> datetime:
        """The end of the window on `day` (the first moment no call may start)."""
        return datetime.combine(day, self.end, tzinfo=tz)

    def next_open(self, local_dt: datetime, calendar: WorkCalendar | None = None) -> datetime:
        """The earliest local datetime >= local_dt inside the window, on a working day of
        `calendar` if one is given (any day otherwise)."""
        day, tz = local_dt.date(), local_dt.tzinfo
        if calendar is None or calendar.is_working_day(day):
            wall = local_dt.time()
            if wall < self.start:
                return self.open_of(day, tz)
            if wall < self.end:
                return local_dt
        day = day + DAY if calendar is None else calendar.next_working_day(day)
        return self.open_of(day, tz)
