"""The `outbound:` config section: bad values are refused with the reason; good ones feed the core."""

from datetime import time, timedelta

import pytest
from pydantic import ValidationError

from hotline.dialer.config import Outbound, dialer_settings


@pytest.mark.parametrize(
    "window,message",
    [
        ("8-20", "must look like"),
        ("20:00-08:00", "must end after"),
        ("08:00-24:30", "24:00 at most"),
        ("08:00-08:00", "must end after"),
    ],
)
def test_bad_windows(window, message):
    with pytest.raises(ValidationError, match=message):
        Outbound(window=window)


def test_a_day_both_holiday_and_workday_is_refused():
    with pytest.raises(ValidationError, match="both holiday and extra workday: 2027-02-07"):
        Outbound(holidays=["2027-02-07"], extra_workdays=["2027-02-07"])


def test_a_make_up_working_day_must_be_a_weekend_day():
    with pytest.raises(ValidationError, match="2026-11-25"):
        Outbound(extra_workdays=["2026-11-25"])  # a Wednesday


def test_bad_caller_id_and_attempts():
    with pytest.raises(ValidationError, match="caller_id"):
        Outbound(caller_id="95598abc")
    with pytest.raises(
        ValidationError, match=r"max_attempts\.followup\s+Input should be greater than or equal to 1"
    ):
        Outbound(max_attempts={"followup": 0, "outage_notice": 1, "callback": 1})


def test_the_core_gets_the_window_calendar_and_spacing():
    cfg = Outbound(
        window="00:00-24:00",
        extra_workdays=["2026-11-28"],
        retry_minutes={"followup": 30, "outage_notice": 60, "callback": 0.5},
    )
    core = dialer_settings(cfg)
    assert core.window.start == time(0, 0) and core.window.end > time(23, 59, 59)
    assert core.calendar.is_working_day(cfg.extra_workdays[0])
    assert core.retry_spacing["callback"] == timedelta(seconds=30)
    assert core.followup_retry_working_days == 3 and core.outage_notice_lead == timedelta(days=7)
