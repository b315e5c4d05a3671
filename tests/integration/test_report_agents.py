"""Per-agent figures (offers from the ACD's call_events) and the Erlang C staffing advice, on
SQLite and PostgreSQL, over the hand-made report day (report_day.py, the `loaded_engine` fixture)."""

from __future__ import annotations

from datetime import date

import pytest
from report_day import AGENTS, SHANGHAI, S, call
from sqlalchemy import insert

from hotline.reports.period import day_period
from hotline.reports.report import build_report
from hotline.reports.stats import compute_stats
from hotline.store import CallRecorder
from hotline.store.models import Call

DAY = day_period(date(2026, 11, 23), SHANGHAI)


def _rows(stats):
    return {
        a.agent_id: (a.name, a.offered, a.no_answer, a.answered, a.talk_sum_s, a.survey_n, a.survey_avg)
        for a in stats.agents
    }


async def test_agents_on_the_day(loaded_engine):
    stats = await compute_stats(loaded_engine, DAY, agents=AGENTS)
    assert _rows(stats) == {
        # offers c4 c5 c10 c16(23:59:55); no answer c10 (c16's is after midnight); answered c4 c5
        "001": ("座席一", 4, 1, 2, 300.0, 1, 4.0),
        # offers c5 c6; no answer c5; answered c6 and c16 (started on the 23rd, answered on the 24th)
        "002": (None, 2, 1, 2, 180.0, 0, None),
        "003": (None, 1, 0, 0, 0.0, 0, None),  # rung once (c8), the caller gave up: no calls
        "004": ("新人", 0, 0, 0, 0.0, 0, None),  # configured, never offered anything
    }
    by_id = {a.agent_id: a for a in stats.agents}
    assert (by_id["001"].answer_rate, by_id["001"].aht_s) == (0.5, 150.0)
    assert (by_id["003"].answer_rate, by_id["004"].answer_rate, by_id["004"].aht_s) == (0.0, None, None)


async def test_offer_events_count_when_they_happen(loaded_engine):
    stats = await compute_stats(loaded_engine, day_period(date(2026, 11, 24), SHANGHAI), agents=AGENTS)
    rows = _rows(stats)
    assert rows["001"][1:4] == (0, 1, 0)  # c16's no-answer at 00:00:07 on the 24th
    assert rows["002"][1:4] == (1, 0, 0)  # c16's second offer; the answered call counts on the 23rd


async def test_agents_in_the_data_but_not_configured_are_listed(loaded_engine):
    stats = await compute_stats(loaded_engine, DAY, agents=[("004", "新人")])
    assert [a.agent_id for a in stats.agents] == ["001", "002", "003", "004"]
    assert [a.name for a in stats.agents] == [None, None, None, "新人"]


async def test_outbound_calls_stay_out_of_agent_figures(loaded_engine):
    stats = await compute_stats(loaded_engine, DAY, agents=AGENTS)
    assert _rows(stats)["001"][3:5] == (2, 300.0)  # o1 (outbound, 30 s talk by 001) not included


async def test_staffing_per_hour_from_the_measured_traffic(loaded_engine):
    report = await build_report(loaded_engine, DAY, company="平安县", agents=AGENTS, goal=0.8)
    hours = {r.hour: r for r in report.staffing}
    assert len(report.staffing) == 24
    # 10:00 had 2 offered calls (c4 c5) of mean talk 150 s: A = 2 x 150 / 3600 = 0.0833 Erlang;
    # 1 agent: SL(12 s) = 1 - A exp(-(1 - A) 12 / 150) = 0.9226 >= 80 %
    ten = hours[10]
    assert (ten.offered_per_day, ten.peak_offered, ten.aht_s) == (2.0, 2, 150.0)
    assert ten.traffic_erlangs == pytest.approx(2 * 150 / 3600)
    assert (ten.agents_needed, ten.agents_needed_peak) == (1, 1)
    # 15:00: two offered calls, none answered: the period's handle time (480 s / 4 = 120 s)
    assert (hours[15].offered_per_day, hours[15].aht_s, hours[15].agents_needed) == (2.0, 120.0, 1)
    # an hour without offered calls needs nobody
    assert (hours[3].offered_per_day, hours[3].traffic_erlangs, hours[3].agents_needed) == (0.0, 0.0, 0)


async def test_staffing_wrap_up_is_added_to_talk_time(loaded_engine):
    report = await build_report(loaded_engine, DAY, company="平安县", wrap_up_s=30)
    assert {r.hour: r.aht_s for r in report.staffing}[10] == 180.0


async def test_staffing_without_any_answered_call_cannot_size_agents(engine):
    async with engine.begin() as conn:
        await conn.execute(
            insert(Call), [call("x", "2026-11-23 10:00:00", "abandoned_queue", queued=5, wait=30 * S)]
        )
    report = await build_report(engine, DAY, company="平安县")
    ten = {r.hour: r for r in report.staffing}[10]
    assert (ten.offered_per_day, ten.aht_s, ten.traffic_erlangs, ten.agents_needed) == (1.0, None, None, None)


async def test_calls_written_by_the_recorder_are_counted(engine):
    recorder = CallRecorder(engine)
    recorder.start()
    try:
        row = call(
            "r1",
            "2026-11-23 09:00:00",
            "agent_answered",
            queued=20,
            wait=8 * S,
            talk=90,
            agent="001",
            category="consultation",
        )
        recorder.call_started(
            "r1",
            direction="inbound",
            started_at=row["started_at"],
            caller_number="139",
            caller_name="",
            dnid="95598",
            trunk="t",
        )
        recorder.event("r1", row["queued_at"], "offer", {"agent_id": "001"})
        recorder.call_ended(
            "r1",
            ended_at=row["ended_at"],
            outcome="agent_answered",
            queued_at=row["queued_at"],
            talk_started_at=row["talk_started_at"],
            talk_s=90.0,
            agent_id="001",
            business_category="consultation",
        )
        await recorder.flush()
        stats = await compute_stats(engine, DAY)
    finally:
        await recorder.close()
    assert (stats.center.offered, stats.center.answered, stats.center.answered_within) == (1, 1, 1)
    assert _rows(stats)["001"][1:5] == (1, 0, 1, 90.0)
