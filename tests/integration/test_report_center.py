"""Center figures on the hand-made report day (report_day.py, the `loaded_engine` fixture), on
SQLite and PostgreSQL (the `db_url` fixture). The expected figures were counted by hand from its table.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from report_day import AGENTS, SHANGHAI, call
from sqlalchemy import insert

from hotline.reports.figures import Counts
from hotline.reports.period import day_period, month_period, zone
from hotline.reports.stats import compute_stats
from hotline.settings import Categories
from hotline.store.models import Call


async def test_day_center_figures(loaded_engine):
    stats = await compute_stats(loaded_engine, day_period(datetime(2026, 11, 23).date(), SHANGHAI))
    c = stats.center
    assert (c.inbound, c.blocked, c.in_progress, c.handled) == (16, 1, 1, 14)
    assert (c.offered, c.ivr_only, c.answered, c.unanswered) == (9, 5, 4, 5)
    assert (c.answered_within, c.abandoned, c.abandoned_within, c.short_abandoned) == (2, 3, 2, 1)
    assert (c.talk_n, c.talk_sum_s, c.survey_n, c.survey_sum) == (4, 480.0, 2, 9)
    assert c.wait_n == 4
    assert c.wait_sum_s == pytest.approx(41.000001, abs=0.004)  # SQLite: to the millisecond
    assert (c.share_ivr_only, c.share_answered, c.share_unanswered) == pytest.approx((5 / 14, 4 / 14, 5 / 14))
    assert c.connect_rate == pytest.approx(4 / 9)
    assert c.service_level == pytest.approx(2 / 4)
    assert c.service_level_inclusive == pytest.approx(4 / 7)
    assert c.abandon_rate == pytest.approx(2 / 8)
    assert c.abandon_rate_incl_short == pytest.approx(3 / 9)
    assert c.asa_s == pytest.approx(10.25, abs=0.001)
    assert (c.aht_s, c.survey_avg) == (120.0, 4.5)


async def test_day_outcomes_categories_and_outbound(loaded_engine):
    stats = await compute_stats(loaded_engine, day_period(datetime(2026, 11, 23).date(), SHANGHAI))
    assert stats.inbound_outcomes == {
        "ivr_only": 3,
        "agent_answered": 4,
        "abandoned_queue": 2,
        "abandoned_ringing": 1,
        "message_left": 2,
        "callback_requested": 1,
        "failed": 1,
        "blocked": 1,
        "in_progress": 1,
        "other": 0,
    }
    # every configured category in the configured order, then unknown (c13: failed in the IVR)
    assert [s.key for s in stats.ivr_functions] == [*Categories().ivr_functions, "unknown"]
    assert [(s.key, s.calls, s.share, s.share_of_handled) for s in stats.ivr_functions if s.calls] == [
        ("outage_query", 2, 0.4, 2 / 14),
        ("bill_query", 1, 0.2, 1 / 14),
        ("message", 1, 0.2, 1 / 14),
        ("unknown", 1, 0.2, 1 / 14),
    ]
    assert [s.key for s in stats.agent_categories] == list(Categories().agent_categories)
    assert [(s.key, s.calls, s.share, s.from_menu) for s in stats.agent_categories if s.calls] == [
        ("consultation", 2, 0.5, 2),
        ("information_query", 1, 0.25, 1),
        ("fault_repair", 1, 0.25, 1),
    ]  # no disposition that day: every one fell back to the menu's category
    assert stats.agent_category_sources == {"disposition": 0, "menu": 4, "none": 0}
    assert stats.outbound_outcomes == {
        "answered": 1,
        "busy": 1,
        "no_answer": 0,
        "cancelled": 0,
        "failed": 0,
        "blocked": 1,
        "in_progress": 0,
    }
    assert (stats.outbound_total, stats.outbound_talk_s) == (3, 30.0)


async def test_day_by_hour_assigns_calls_by_local_start(loaded_engine):
    stats = await compute_stats(loaded_engine, day_period(datetime(2026, 11, 23).date(), SHANGHAI))
    per_hour = {h: c.inbound for h, c in stats.by_hour}
    assert per_hour == {h: 0 for h in range(24)} | {
        8: 2,
        9: 1,
        10: 2,
        14: 2,
        15: 2,
        16: 2,
        17: 1,
        18: 1,
        19: 1,
        23: 2,
    }
    assert [h for h, _ in stats.by_hour] == list(range(24))
    assert stats.by_hour[23][1].answered == 1  # c16 crossed midnight, counted where it started
    assert Counts.total(c for _, c in stats.by_hour) == stats.center
    assert [(d.isoformat(), c.inbound) for d, c in stats.by_day] == [("2026-11-23", 16)]


async def test_neighbouring_days_get_the_midnight_calls(loaded_engine):
    before = await compute_stats(loaded_engine, day_period(datetime(2026, 11, 22).date(), SHANGHAI))
    after = await compute_stats(loaded_engine, day_period(datetime(2026, 11, 24).date(), SHANGHAI))
    assert (before.center.inbound, before.center.ivr_only, before.by_hour[23][1].inbound) == (1, 1, 1)
    assert (after.center.inbound, after.center.ivr_only, after.by_hour[0][1].inbound) == (1, 1, 1)
    assert after.outbound_total == 0


async def test_month_has_every_day_and_zero_days_give_zeros(loaded_engine):
    stats = await compute_stats(loaded_engine, month_period(2026, 11, SHANGHAI))
    assert len(stats.by_day) == 30 and stats.by_day[0][0].isoformat() == "2026-11-01"
    days = {d.day: c for d, c in stats.by_day}
    assert (days[22].inbound, days[23].inbound, days[24].inbound) == (1, 16, 1)
    assert stats.center.inbound == 18
    assert days[1] == Counts()
    assert (days[1].connect_rate, days[1].service_level, days[1].asa_s, days[1].share_answered) == (None,) * 4
    assert stats.by_month == [("2026-11", stats.center)]


async def test_a_period_without_calls_gives_zeros_not_errors(loaded_engine):
    stats = await compute_stats(loaded_engine, month_period(2026, 10, SHANGHAI), agents=AGENTS)
    assert stats.center == Counts() and len(stats.by_day) == 31
    assert all(
        v is None
        for k, v in stats.center.as_dict().items()
        if k.endswith(("rate", "_s", "avg")) and k not in ("wait_sum_s", "talk_sum_s")
    )
    assert [s.calls for s in stats.ivr_functions + stats.agent_categories] == [0] * 16
    assert {s.share for s in stats.ivr_functions + stats.agent_categories} == {None}
    assert sum(stats.inbound_outcomes.values()) == 0 and stats.outbound_total == 0
    assert [(a.agent_id, a.offered, a.answered, a.answer_rate) for a in stats.agents] == [
        ("001", 0, 0, None),
        ("002", 0, 0, None),
        ("003", 0, 0, None),
        ("004", 0, 0, None),
    ]


async def test_the_time_zone_decides_days_and_hours(loaded_engine):
    utc_day = await compute_stats(loaded_engine, day_period(datetime(2026, 11, 23).date(), zone("UTC")))
    # UTC 2026-11-23 = Shanghai 08:00 on the 23rd .. 08:00 on the 24th: c1..c17 (c17 is 16:00 UTC)
    assert utc_day.center.inbound == 17
    assert (utc_day.by_hour[0][1].inbound, utc_day.by_hour[16][1].inbound) == (2, 1)  # c1 c2, and c17


async def test_half_hour_zones_split_hours_at_the_local_hour(engine):
    utc = UTC
    rows = [call("k1", "2026-11-23 00:00:00", "ivr_only"), call("k2", "2026-11-23 00:00:00", "ivr_only")]
    rows[0]["started_at"] = datetime(2026, 11, 23, 10, 20, tzinfo=utc)  # 15:50 in Kolkata (+05:30)
    rows[1]["started_at"] = datetime(2026, 11, 23, 10, 35, tzinfo=utc)  # 16:05
    async with engine.begin() as conn:
        await conn.execute(insert(Call), rows)
    stats = await compute_stats(engine, day_period(datetime(2026, 11, 23).date(), zone("Asia/Kolkata")))
    assert {h: c.inbound for h, c in stats.by_hour if c.inbound} == {15: 1, 16: 1}
