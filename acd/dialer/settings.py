"""Dialer settings, built by the daemon from the site config (the zone is passed in as a tzinfo)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from types import MappingProxyType

from .calendar import WorkCalendar
from .errors import DialerError
from .jobs import PURPOSES, Purpose
from .window import CallWindow


def _default_spacing() -> Mapping[Purpose, timedelta]:
    return {
        "followup": timedelta(hours=2),
        "outage_notice": timedelta(hours=2),
        "callback": timedelta(minutes=10),
    }


@dataclass(frozen=True, slots=True)
class DialerSettings:
    tz: tzinfo  # the site's zone (Asia/Shanghai)
    window: CallWindow = CallWindow()
    calendar: WorkCalendar = WorkCalendar()
    retry_spacing: Mapping[Purpose, timedelta] = field(default_factory=_default_spacing)
    working_days_only: frozenset[Purpose] = frozenset({"followup", "outage_notice"})
    followup_min_delay: timedelta = timedelta(hours=1)  # after the service was completed
    followup_retry_working_days: int = 3  # counting the first call's day
    outage_notice_lead: timedelta = timedelta(days=7)  # a notice is called >= this ahead

    def __post_init__(self) -> None:
        if not isinstance(self.tz, tzinfo):
            raise DialerError(f"tz must be a tzinfo (e.g. ZoneInfo('Asia/Shanghai')), got {self.tz!r}")
        if not isinstance(self.window, CallWindow):
            raise DialerError(f"window must be a CallWindow, got {self.window!r}")
        if not isinstance(self.calendar, WorkCalendar):
            raise DialerError(f"calendar must be a WorkCalendar, got {self.calendar!r}")
        spacing = dict(self.retry_spacing)
        missing = [p for p in PURPOSES if p not in spacing]
        unknown = sorted(str(p) for p in spacing if p not in PURPOSES)
        if missing or unknown:
            raise DialerError(
                f"retry_spacing needs exactly the purposes {', '.join(PURPOSES)}: "
                f"missing {missing}, unknown {unknown}"
            )
        bad = [f"{p}={v!r}" for p, v in spacing.items() if not isinstance(v, timedelta) or v <= timedelta(0)]
        if bad:
            raise DialerError(f"retry_spacing must be positive timedeltas: {', '.join(bad)}")
        only = frozenset(self.working_days_only)
        if not only <= set(PURPOSES):
            raise DialerError(
                f"working_days_only has unknown purposes {sorted(map(str, only - set(PURPOSES)))}"
            )
        for name in ("followup_min_delay", "outage_notice_lead"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value < timedelta(0):
                raise DialerError(f"{name} must be a timedelta >= 0, got {value!r}")
        n = self.followup_retry_working_days
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise DialerError(f"followup_retry_working_days must be an int >= 1, got {n!r}")
        object.__setattr__(self, "retry_spacing", MappingProxyType(spacing))
        object.__setattr__(self, "working_days_only", only)

    def calendar_for(self, purpose: str) -> WorkCalendar | None:
        """The calendar a purpose must keep to, or None if it may be called on any day."""
        return self.calendar if purpose in self.working_days_only else None
