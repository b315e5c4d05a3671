"""The hand-made report day (report_day.py) written through the recorder in time order: the live
figures equal `compute_stats` for the day they are on, just before midnight (the 23rd) and after
it (the 24th), and a load gives the same (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from live_day_feed import AGENTS, TappedRecorder, assert_same_as_report, assert_same_live, ops_of_row, play
from live_day_feed import Op as FeedOp
from report_day import CALLS, EVENTS, SHANGHAI

from hotline.reports.figures import Thresholds
from hotline.reports.live_day import DayFigures
from hotline.reports.live_load import load_day, load_hourly
from hotline.reports.period import day_period
from hotline.reports.stats import compute_stats

DAY = day_period(date(2026, 11, 23), SHANGHAI)
NEXT = day_period(date(2026, 11, 24), SHANGHAI)
TH = Thresholds()


def day_ops() -> list[FeedOp]:
    ops = [op for row in CALLS for op in ops_of_row(row)]
    ops += [
        FeedOp(e["at"], 1, "event", e["call_uniqueid"], {"kind": e["kind"], "data": e["data"]})
        for e in EVENTS
    ]
    return sorted(ops, key=lambda op: (op.at, op.phase))


async def test_live_figures_equal_the_report_before_and_after_midnight(engine):
    live = DayFigures(DAY, TH, AGENTS)
    rec = TappedRecorder(engine, [live])
    rec.start()
    ops = day_ops()
    before = [op for op in ops if op.at < DAY.end]
    for op in before:
        play(rec, op)
    await rec.flush()
    assert live.period == DAY and live.center.inbound == 16 and live.center.in_progress == 2  # c14, c16
    assert_same_as_report(live, await compute_stats(engine, DAY, TH, AGENTS))
    last = before[-1].at
    assert_same_live(live, await load_day(engine, DAY, TH, AGENTS, now=last), last)

    for op in ops[len(before) :]:
        play(rec, op)
    await rec.close()
    assert live.period == NEXT  # rolled by the first item of the 24th
    assert_same_as_report(live, await compute_stats(engine, NEXT, TH, AGENTS))
    end = ops[-1].at
    assert_same_live(live, await load_day(engine, NEXT, TH, AGENTS, now=end), end)
    # the 23rd, complete now (c16 ended after midnight): as the report, from a load
    again = await load_day(engine, DAY, TH, AGENTS, now=end)
    assert_same_as_report(again, await compute_stats(engine, DAY, TH, AGENTS))
    assert again.center.in_progress == 1 and again.open_calls == 1  # c14 never ended


async def test_hourly_counts_of_a_day(engine):
    rec = TappedRecorder(engine, [])
    rec.start()
    for op in day_ops():
        play(rec, op)
    await rec.close()
    hours = await load_hourly(engine, DAY, TH)
    report = await compute_stats(engine, DAY, TH)
    assert len(hours) == 24
    assert [c.inbound for c in hours] == [c.inbound for _h, c in report.by_hour]
    assert [c.offered for c in hours] == [c.offered for _h, c in report.by_hour]
    assert hours[10].inbound == 2 and hours[23].inbound == 2 and sum(c.inbound for c in hours) == 16
    empty = await load_hourly(engine, day_period(DAY.days[0] - timedelta(days=7), SHANGHAI))
    assert sum(c.inbound for c in empty) == 0
