"""DayFigures fed with recorder items by hand: the day's figures, the midnight rules, the windows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.live_day import DayFigures
from hotline.reports.period import day_period, month_period, zone
from hotline.store.batch import End, Event, Start

SH = zone("Asia/Shanghai")
DAY = day_period(date(2026, 11, 23), SH)
S = timedelta(seconds=1)
MIN = timedelta(minutes=1)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def start(uid: str, at: datetime, direction: str = "inbound", **end) -> Start:
    return Start({"uniqueid": uid, "direction": direction, "started_at": at, "outcome": None, **end})


def ev(uid: str, at: datetime, kind: str, **data) -> Event:
    return Event({"call_uniqueid": uid, "at": at, "kind": kind, "data": data})


def figures(**kw) -> DayFigures:
    return DayFigures(DAY, Thresholds(), [("001", "座席一"), ("002", None)], **kw)


def test_an_open_call_is_in_progress_until_its_end_replaces_it():
    f = figures()
    t = local("2026-11-23 10:00:00")
    f.apply(start("a", t))
    assert f.center == Counts(inbound=1, in_progress=1)
    assert f.open_calls == 1
    q = t + 30 * S
    end = {"outcome": "agent_answered", "ended_at": q + 100 * S, "queued_at": q}
    f.apply(End("a", {**end, "talk_started_at": q + 12 * S, "talk_s": 88.0, "agent_id": "001"}))
    assert f.center == Counts(
        inbound=1,
        offered=1,
        answered=1,
        answered_within=1,
        wait_n=1,
        wait_sum_s=12.0,
        talk_n=1,
        talk_sum_s=88.0,
    )
    assert dict(f.by_hour)[10] == f.center and dict(f.by_hour)[9] == Counts()
    assert [(r.agent_id, r.name, r.answered, r.talk_n, r.talk_sum_s) for r in f.agents] == [
        ("001", "座席一", 1, 1, 88.0),
        ("002", None, 0, 0, 0.0),
    ]
    assert f.open_calls == 0 and f.longest_wait_s == 12.0


def test_second_start_and_second_end_are_ignored_like_the_store():
    f = figures()
    t = local("2026-11-23 10:00:00")
    f.apply(start("a", t))
    f.apply(start("a", t))
    f.apply(End("a", {"outcome": "ivr_only", "ended_at": t + MIN}))
    f.apply(End("a", {"outcome": "failed", "ended_at": t + 2 * MIN}))
    f.apply(End("never-started", {"outcome": "failed", "ended_at": t}))
    assert f.center == Counts(inbound=1)


def test_a_call_belongs_to_its_start_day_and_offers_to_their_own_time():
    f = figures()
    f.apply(start("yesterday", local("2026-11-22 23:59:59.999999")))
    f.apply(start("late", local("2026-11-23 23:59:50")))
    f.apply(ev("late", local("2026-11-23 23:59:55"), "offer", agent_id="001"))
    f.apply(End("late", {"outcome": "abandoned_ringing", "ended_at": local("2026-11-24 00:00:05")}))
    f.apply(End("yesterday", {"outcome": "ivr_only", "ended_at": local("2026-11-23 00:01:00")}))
    assert f.center == Counts(inbound=1, offered=1, abandoned=1)
    assert dict(f.by_hour)[23].inbound == 1
    assert [(r.agent_id, r.offered) for r in f.agents] == [("001", 1), ("002", 0)]
    # the next offer is after midnight: the figures roll to the 24th, whose figures are only that
    f.apply(ev("late", local("2026-11-24 00:00:07"), "no_answer", agent_id="002"))
    assert f.period.label == "2026-11-24" and f.center == Counts()
    assert [(r.agent_id, r.offered, r.no_answer) for r in f.agents] == [("001", 0, 0), ("002", 0, 1)]


def test_roll_to_forgets_the_open_calls_of_the_day_before():
    f = figures()
    f.apply(start("a", local("2026-11-23 23:00:00")))
    f.roll_to(day_period(date(2026, 11, 24), SH))
    f.apply(End("a", {"outcome": "ivr_only", "ended_at": local("2026-11-24 00:10:00")}))
    assert f.center == Counts() and f.open_calls == 0
    f.advance(local("2026-11-24 23:59:59"))
    assert f.period.label == "2026-11-24"
    f.advance(local("2026-11-25 00:00:00"))
    assert f.period.label == "2026-11-25"


def test_outbound_calls_are_counted_apart_by_outcome():
    f = figures()
    t = local("2026-11-23 11:00:00")
    f.apply(start("o1", t, "outbound"))
    assert f.outbound_outcomes["in_progress"] == 1
    f.apply(End("o1", {"outcome": "answered", "ended_at": t + MIN, "talk_s": 30.0}))
    f.apply(start("o2", t, "outbound", outcome="blocked", ended_at=t))
    assert (f.outbound_outcomes["in_progress"], f.outbound_outcomes["answered"]) == (0, 1)
    assert (f.outbound_outcomes["blocked"], f.outbound_talk_s, f.center) == (1, 30.0, Counts())


def test_service_level_of_the_last_30_minutes_rolls():
    f = figures()
    t = local("2026-11-23 10:00:00")
    f.apply(ev("a", t, "answer", agent_id="001", wait_s=12.0))
    f.apply(ev("b", t + 10 * MIN, "answer", agent_id="001", wait_s=12.001))
    f.apply(ev("c", t + 20 * MIN, "answer", agent_id="002"))  # no wait known: not within
    level = f.recent_service_level(t + 29 * MIN)
    assert (level.answered, level.within, level.service_level) == (3, 1, pytest.approx(1 / 3))
    level = f.recent_service_level(t + 30 * MIN)
    assert (level.answered, level.within) == (3, 1)  # the window includes its first instant
    level = f.recent_service_level(t + 30 * MIN + 1 * S)
    assert (level.answered, level.within) == (2, 0)
    level = f.recent_service_level(t + 2 * timedelta(hours=1))
    assert (level.answered, level.service_level) == (0, None)


def test_queued_calls_of_the_last_hour():
    f = figures(window=timedelta(minutes=15))
    t = local("2026-11-23 10:00:00")
    for minute in (0, 20, 40, 59):
        f.apply(ev(f"q{minute}", t + minute * MIN, "queued", category="x", priority=0, wait_s=0.0))
    assert f.queued_last_hour(t + 59 * MIN) == 4
    assert f.queued_last_hour(t + 80 * MIN + S) == 2
    assert f.recent_service_level(t + 60 * MIN).answered == 0


def test_refuses_what_is_not_a_day_or_an_item():
    with pytest.raises(ValueError, match="day period"):
        DayFigures(month_period(2026, 11, SH), Thresholds())
    with pytest.raises(ValueError, match="longer than 0"):
        figures(window=timedelta(0))
    with pytest.raises(TypeError, match="recorder item"):
        figures().apply("start")  # type: ignore[arg-type]
