"""Erlang C advice for this hour and the next, checked against a hand computation.

20 calls/h x 180 s = 1.0 Erlang. Erlang B: B1 = 1/2, B2 = 0.5/2.5 = 0.2, B3 = 0.2/3.2 = 0.0625.
  N=2: C = 2*0.2 / (2 - 0.8) = 1/3;        SL(12 s) = 1 - 1/3 * e^(-1*12/180)  = 0.688 < 0.8
  N=3: C = 3*0.0625 / (3 - 0.9375) = 1/11; SL(12 s) = 1 - 1/11 * e^(-2*12/180) = 0.920 -> 3 agents
40 calls/h x 180 s = 2.0 Erlangs. B1 = 2/3, B2 = 0.4, B3 = 0.8/3.8, B4 = 2*B3/(4 + 2*B3) = 2/21.
  N=3: C = 0.6316/1.4211 = 0.4444;         SL = 1 - 0.4444 * e^(-12/180)  = 0.584 < 0.8
  N=4: C = (8/21)/(4 - 2*19/21) = 0.1739;  SL = 1 - 0.1739 * e^(-24/180) = 0.848 -> 4 agents
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.live_advice import HourAdvice, handle_time, staffing_advice
from hotline.reports.live_day import DayFigures
from hotline.reports.period import day_period, zone
from hotline.store.batch import End, Event, Start

SH = zone("Asia/Shanghai")
T = datetime(2026, 11, 23, 10, 59, 59, tzinfo=SH)
MIN = timedelta(minutes=1)


def day_with(queued_minutes_ago: list[float], talks: list[float]) -> DayFigures:
    f = DayFigures(day_period(date(2026, 11, 23), SH), Thresholds())
    for i, ago in enumerate(queued_minutes_ago):
        f.apply(Event({"call_uniqueid": f"q{i}", "at": T - ago * MIN, "kind": "queued", "data": {}}))
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=SH)
    for i, talk in enumerate(talks):
        f.apply(Start({"uniqueid": f"a{i}", "direction": "inbound", "started_at": t0, "outcome": None}))
        end = {"outcome": "agent_answered", "ended_at": t0 + MIN, "agent_id": "001", "talk_s": talk}
        f.apply(End(f"a{i}", end))
    return f


def last_week(next_hour_offered: int) -> list[Counts]:
    hours = [Counts() for _ in range(24)]
    hours[11] = Counts(inbound=next_hour_offered + 3, offered=next_hour_offered)
    return hours


def test_this_hour_from_the_last_60_minutes_next_hour_from_last_week_if_busier():
    # 20 queued in the last hour (one more 61 min ago: out), talk 120 s and 180 s -> 150 s + 30 s wrap-up
    f = day_with([61] + [59.5 - 2.9 * i for i in range(20)], [120.0, 180.0])
    now, following = staffing_advice(f, T, last_week(40), wrap_up_s=30.0)
    assert now == HourAdvice(hour=10, calls=20.0, aht_s=180.0, erlangs=pytest.approx(1.0), agents_needed=3)
    assert following == HourAdvice(11, 40.0, 180.0, pytest.approx(2.0), 4)


def test_next_hour_keeps_today_rate_when_last_week_was_quieter():
    f = day_with([1.0] * 20, [])
    now, following = staffing_advice(f, T, last_week(5))  # nothing answered: the default 180 s
    assert (now.agents_needed, following.calls, following.agents_needed, following.aht_s) == (
        3,
        20.0,
        3,
        180.0,
    )


def test_no_calls_need_no_agent_and_the_hour_wraps_at_midnight():
    f = day_with([], [])
    now, following = staffing_advice(f, datetime(2026, 11, 23, 23, 30, tzinfo=SH), [Counts()] * 24)
    assert (now.hour, now.agents_needed, following.hour, following.agents_needed) == (23, 0, 0, 0)


def test_handle_time_falls_back_to_the_default():
    assert handle_time(Counts(talk_n=2, talk_sum_s=0.0), 200.0, 10.0) == 210.0
    assert handle_time(Counts(talk_n=2, talk_sum_s=300.0), 200.0, 10.0) == 160.0


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"goal": 1.0}, "goal"),
        ({"default_aht_s": 0.0}, "default_aht_s"),
        ({"wrap_up_s": -1.0}, "wrap_up_s"),
    ],
)
def test_bad_arguments_are_refused(kw, message):
    with pytest.raises(ValueError, match=message):
        staffing_advice(day_with([], []), T, [Counts()] * 24, **kw)
    with pytest.raises(ValueError, match="24 hours"):
        staffing_advice(day_with([], []), T, [Counts()] * 23)
