"""The `outbound:` section of config/hotline.yaml: the dialer's window, calendar and retries, and
what may be dialled out at all (`dial_patterns`, for the dialer and for agents' 9 + number)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from pydantic import Field, field_validator, model_validator

from acd.dial_policy import DEFAULT_PATTERNS, DialPolicy
from acd.dialer import CallWindow, DialerSettings, WorkCalendar
from hotline.config_text import StrictSection
from hotline.selfservice.local_time import LOCAL_TZ

_WINDOW = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")
_CALLER_ID = re.compile(r"[0-9]{3,20}")
_MINUTES_A_WEEK = 7 * 24 * 60


class MaxAttempts(StrictSection):
    followup: int = Field(default=5, ge=1, le=20)
    outage_notice: int = Field(default=3, ge=1, le=20)
    callback: int = Field(default=3, ge=1, le=20)


class RetryMinutes(StrictSection):
    """Spacing between tries (then pushed into the window / the next working day)."""

    followup: float = Field(default=120, gt=0, le=_MINUTES_A_WEEK)
    outage_notice: float = Field(default=120, gt=0, le=_MINUTES_A_WEEK)
    callback: float = Field(default=10, gt=0, le=_MINUTES_A_WEEK)


class Outbound(StrictSection):
    """Where, when and how often the dialer calls (the 4-line cap is `trunks.outbound`)."""

    window: str = Field(default="08:00-20:00", description="local call window HH:MM-HH:MM; none outside")
    holidays: list[date] = Field(default_factory=list, description="no follow-ups/notices on these")
    extra_workdays: list[date] = Field(default_factory=list, description="调休: weekend days worked")
    caller_id: str = Field(default="95598", description="the number customers see")
    ring_seconds: float = Field(default=30.0, ge=5, le=120, description="then the try is `no_answer`")
    max_attempts: MaxAttempts = MaxAttempts()
    retry_minutes: RetryMinutes = RetryMinutes()
    followup_delay_minutes: float = Field(
        default=60, ge=0, le=_MINUTES_A_WEEK, description="after the service is marked done"
    )
    followup_working_days: int = Field(default=3, ge=1, le=10, description="retries end after this many")
    notice_lead_days: int = Field(
        default=7, ge=1, le=90, description="outage notices are called this far ahead"
    )
    notify_planned_outages: bool = Field(default=True, description="call the area's accounts for new notices")
    callback_hours: int = Field(
        default=24, ge=1, le=24 * 7, description="a callback not reached by then is given up"
    )
    callback_after_abandon_seconds: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="a caller who hung up after waiting this long is called back; 0 = off",
    )
    poll_seconds: float = Field(
        default=60.0,
        gt=0,
        le=300,
        description="the store is read again this often; the CLI's changes are read at once (SIGUSR1)",
    )
    dial_patterns: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PATTERNS),
        description="numbers that may be dialled out (Asterisk patterns: digits, X, Z, N, [2-8]); "
        "everything else is refused; [] = nothing",
    )

    @field_validator("dial_patterns")
    @classmethod
    def _dial_patterns(cls, v: list[str]) -> list[str]:
        DialPolicy(v)  # DialPolicyError (a ValueError) names the bad pattern
        return v

    @field_validator("window")
    @classmethod
    def _window(cls, v: str) -> str:
        m = _WINDOW.fullmatch(v)
        if not m:
            raise ValueError(f"window {v!r} must look like 08:00-20:00")
        start, end = (int(m[1]), int(m[2])), (int(m[3]), int(m[4]))
        if end > (24, 0):
            raise ValueError(f"window {v!r}: the end may be 24:00 at most")
        if start >= end:
            raise ValueError(f"window {v!r} must end after it starts (same day)")
        return v

    @field_validator("caller_id")
    @classmethod
    def _caller_id(cls, v: str) -> str:
        if not _CALLER_ID.fullmatch(v):
            raise ValueError(f"caller_id {v!r} must be 3-20 digits")
        return v

    @model_validator(mode="after")
    def _calendar(self) -> Outbound:
        both = sorted(set(self.holidays) & set(self.extra_workdays))
        if both:
            raise ValueError(f"dates both holiday and extra workday: {', '.join(map(str, both))}")
        dialer_settings(self)  # what the core refuses (a make-up day on a weekday) fails here
        return self

    @property
    def dial_policy(self) -> DialPolicy:
        """The verdict on a number to dial (acd.dial_policy), from `dial_patterns`."""
        return DialPolicy(self.dial_patterns)

    @property
    def window_times(self) -> tuple[time, time]:
        start, end = self.window.split("-")
        h, m = map(int, start.split(":"))
        eh, em = map(int, end.split(":"))
        return time(h, m), (time(23, 59, 59, 999999) if (eh, em) == (24, 0) else time(eh, em))


def dialer_settings(cfg: Outbound) -> DialerSettings:
    """The pure dialer core's settings from the site config (local zone: Asia/Shanghai)."""
    start, end = cfg.window_times
    minutes = cfg.retry_minutes
    return DialerSettings(
        tz=LOCAL_TZ,
        window=CallWindow(start, end),
        calendar=WorkCalendar(holidays=frozenset(cfg.holidays), extra_workdays=frozenset(cfg.extra_workdays)),
        retry_spacing={
            "followup": timedelta(minutes=minutes.followup),
            "outage_notice": timedelta(minutes=minutes.outage_notice),
            "callback": timedelta(minutes=minutes.callback),
        },
        followup_min_delay=timedelta(minutes=cfg.followup_delay_minutes),
        followup_retry_working_days=cfg.followup_working_days,
        outage_notice_lead=timedelta(days=cfg.notice_lead_days),
    )
