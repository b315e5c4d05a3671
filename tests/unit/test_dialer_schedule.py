"""When jobs may be called: follow-up, retry and outage-notice times; settings and job checks."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from acd.dialer import (
    CallWindow,
    DialerError,
    DialerSettings,
    Job,
    WorkCalendar,
    allowed_at,
    followup_times,
    is_allowed,
    next_attempt_at,
    outage_notice_times,
)
from core_errors import CoreError

SH = ZoneInfo("Asia/Shanghai")
S = DialerSettings(SH)


def sh(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


NOT_BEFORE, DEADLINE = sh(2026, 11, 23, 8), sh(2026, 11, 25, 20)


def job(purpose="followup", not_before=NOT_BEFORE, deadline=DEADLINE, **kw):
    return Job("j1", "13800138000", purpose, not_before, deadline, **kw)


def test_followup_completed_friday_evening_is_first_called_monday_0800():
    nb, dl = followup_times(sh(2026, 11, 20, 19, 30), S)
    assert (nb, dl) == (sh(2026, 11, 23, 8), sh(2026, 11, 25, 20))
    assert nb.tzinfo is UTC


def test_followup_after_a_monday_holiday_is_on_tuesday():
    s = DialerSettings(SH, calendar=WorkCalendar(holidays=frozenset({date(2026, 11, 23)})))
    assert followup_times(sh(2026, 11, 20, 19, 30), s) == (sh(2026, 11, 24, 8), sh(2026, 11, 26, 20))


def test_followup_on_a_make_up_saturday():
    s = DialerSettings(SH, calendar=WorkCalendar(extra_workdays=frozenset({date(2026, 11, 21)})))
    assert followup_times(sh(2026, 11, 20, 19, 30), s) == (sh(2026, 11, 21, 8), sh(2026, 11, 24, 20))


def test_followup_over_national_day():
    cal = WorkCalendar(
        holidays=frozenset(date(2025, 10, d) for d in range(1, 9)),
        extra_workdays=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
    )
    s = DialerSettings(SH, calendar=cal)
    # Tuesday Sep 30 is day 1, Thursday Oct 9 day 2, Friday Oct 10 day 3
    assert followup_times(sh(2025, 9, 30, 15), s) == (sh(2025, 9, 30, 16), sh(2025, 10, 10, 20))
    # the third working day after Oct 9 is the make-up Saturday Oct 11
    assert followup_times(sh(2025, 9, 30, 19, 30), s) == (sh(2025, 10, 9, 8), sh(2025, 10, 11, 20))


@pytest.mark.parametrize(
    "completed, first",
    [
        (sh(2026, 11, 23, 10), sh(2026, 11, 23, 11)),  # min delay 1 h
        (sh(2026, 11, 23, 6), sh(2026, 11, 23, 8)),  # before the window
        (sh(2026, 11, 23, 18, 59, 59), sh(2026, 11, 23, 19, 59, 59)),  # the last second
        (sh(2026, 11, 23, 19), sh(2026, 11, 24, 8)),  # 20:00 is closed
        (datetime(2026, 11, 23, 2, tzinfo=UTC), sh(2026, 11, 23, 11)),  # any zone in
    ],
)
def test_followup_first_call(completed, first):
    assert followup_times(completed, S)[0] == first


def test_followup_retry_days_is_configurable():
    s = DialerSettings(SH, followup_retry_working_days=1, followup_min_delay=timedelta(0))
    assert followup_times(sh(2026, 11, 23, 9), s) == (sh(2026, 11, 23, 9), sh(2026, 11, 23, 20))


def test_next_attempt_keeps_spacing_window_and_working_days():
    j = job()
    assert next_attempt_at(j, sh(2026, 11, 23, 8, 1), S) == sh(2026, 11, 23, 10, 1)
    assert next_attempt_at(j, sh(2026, 11, 23, 18), S) == sh(2026, 11, 24, 8)  # 20:00 closed
    assert next_attempt_at(j, sh(2026, 11, 25, 17, 59), S) == sh(2026, 11, 25, 19, 59)
    assert next_attempt_at(j, sh(2026, 11, 25, 18), S) is None  # past deadline
    fri = job(not_before=sh(2026, 11, 20, 8), deadline=sh(2026, 11, 30, 20))
    assert next_attempt_at(fri, sh(2026, 11, 20, 19), S) == sh(2026, 11, 23, 8)  # skips weekend


def test_callbacks_may_be_called_at_the_weekend():
    cb = job("callback", sh(2026, 11, 20, 19), sh(2026, 11, 23, 20))
    assert next_attempt_at(cb, sh(2026, 11, 20, 19, 55), S) == sh(2026, 11, 21, 8)
    assert next_attempt_at(cb, sh(2026, 11, 21, 9), S) == sh(2026, 11, 21, 9, 10)
    assert is_allowed("callback", sh(2026, 11, 21, 9), S)
    assert not is_allowed("followup", sh(2026, 11, 21, 9), S)
    assert not is_allowed("callback", sh(2026, 11, 21, 20), S)


def test_next_attempt_never_before_not_before():
    j = job(not_before=sh(2026, 11, 24, 9))
    assert next_attempt_at(j, sh(2026, 11, 23, 8), S) == sh(2026, 11, 24, 9)


def test_allowed_at():
    assert allowed_at("outage_notice", sh(2026, 11, 21, 9), S) == sh(2026, 11, 23, 8)
    assert allowed_at("callback", sh(2026, 11, 21, 9), S) == sh(2026, 11, 21, 9)


def test_outage_notice_is_called_at_least_7_days_ahead():
    assert outage_notice_times(sh(2026, 11, 20, 21), sh(2026, 12, 1, 9), S) == (
        sh(2026, 11, 23, 8),
        sh(2026, 11, 24, 9),
    )
    with pytest.raises(DialerError, match="too close"):
        outage_notice_times(sh(2026, 11, 23, 10), sh(2026, 11, 29, 9), S)


# --- settings and jobs are checked -------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"tz": "Asia/Shanghai"}, "tz must be a tzinfo"),
        ({"window": (time(8), time(20))}, "window must be a CallWindow"),
        ({"calendar": frozenset()}, "calendar must be a WorkCalendar"),
        ({"retry_spacing": {"followup": timedelta(hours=2)}}, "missing"),
        (
            {
                "retry_spacing": {
                    "followup": timedelta(0),
                    "outage_notice": timedelta(1),
                    "callback": timedelta(1),
                }
            },
            "positive",
        ),
        ({"working_days_only": frozenset({"survey"})}, "unknown purposes"),
        ({"followup_min_delay": timedelta(hours=-1)}, "followup_min_delay"),
        ({"followup_retry_working_days": 0}, "followup_retry_working_days"),
    ],
)
def test_settings_validation(kwargs, message):
    with pytest.raises(DialerError, match=message):
        DialerSettings(**{"tz": SH, **kwargs})


def test_settings_spacing_is_read_only():
    with pytest.raises(TypeError, match="does not support item assignment"):
        S.retry_spacing["callback"] = timedelta(1)  # type: ignore[index]
    assert S.window == CallWindow()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"number": "138-0013"}, "3-20 ASCII digits"),
        ({"number": "12"}, "3-20 ASCII digits"),
        ({"number": "1" * 21}, "3-20 ASCII digits"),
        ({"number": "١٢٣٤"}, "3-20 ASCII digits"),
        ({"purpose": "survey"}, "purpose must be one of"),
        ({"not_before": datetime(2026, 11, 23, 8)}, "not_before must be an aware"),
        ({"deadline": sh(2026, 11, 22)}, "is before not_before"),
        ({"max_attempts": 0}, "max_attempts must be >= 1"),
        ({"attempts": 4}, "attempts must be 0..max_attempts"),
        ({"priority": "1"}, "priority must be an int"),
        ({"last_result": "hung_up"}, "last_result must be one of"),
        ({"payload": {"order": 5}}, "payload must map str to str"),
        ({"id": ""}, "job id must be a non-empty"),
    ],
)
def test_job_validation(kwargs, message):
    args = {
        "id": "j1",
        "number": "13800138000",
        "purpose": "followup",
        "not_before": sh(2026, 11, 23, 8),
        "deadline": sh(2026, 11, 25, 20),
        **kwargs,
    }
    with pytest.raises(DialerError, match=message):
        Job(**args)
    assert issubclass(DialerError, CoreError) and issubclass(DialerError, ValueError)
