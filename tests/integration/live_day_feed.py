"""Shared by the live-figures equality tests: a recorder that hands every item it is asked to write
to DayFigures (as the daemon's tap does), the writing of call operations through it, and the
field-by-field comparison with the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from hotline.reports.figures import Counts
from hotline.reports.live_day import DayFigures
from hotline.reports.stats import Stats
from hotline.store import CallRecorder

START_FIELDS = ("direction", "started_at")
AGENTS = [("001", "座席一"), ("002", None), ("003", None)]


class TappedRecorder(CallRecorder):
    """The real recorder; every item it accepts also goes to `taps` (after the store took it)."""

    def __init__(self, engine: Any, taps: list[DayFigures]) -> None:
        super().__init__(engine)
        self.taps = taps

    def _put(self, item: Any) -> None:
        super()._put(item)
        for tap in self.taps:
            tap.apply(item)


@dataclass(frozen=True)
class Op:
    """One thing a call flow tells the recorder, at `at`: start | blocked | end | event."""

    at: datetime
    phase: int  # orders a call's start (0) before its events (1) and end (2) at the same time
    kind: str
    uid: str
    values: dict[str, Any] = field(default_factory=dict)


def play(rec: CallRecorder, op: Op) -> None:
    """Call the recorder as hotline/calls/*.py do."""
    v = dict(op.values)
    common = {"caller_number": "13800138000", "caller_name": None, "dnid": "95598", "trunk": None}
    if op.kind == "start":
        rec.call_started(op.uid, direction=v["direction"], started_at=v["started_at"], **common)
    elif op.kind == "blocked":
        rec.call_blocked(op.uid, **common, **v)
    elif op.kind == "end":
        rec.call_ended(op.uid, **v)
    else:
        rec.event(op.uid, op.at, v["kind"], v["data"])


def ops_of_row(row: dict[str, Any]) -> list[Op]:
    """A full `calls` row (report_day.CALLS) as the recorder operations that write it."""
    uid, start = row["uniqueid"], {k: row[k] for k in START_FIELDS}
    rest = {k: v for k, v in row.items() if k not in (*START_FIELDS, "uniqueid", "outcome", "ended_at")}
    if row["outcome"] == "blocked":
        return [Op(row["started_at"], 0, "blocked", uid, {**start, "ended_at": row["ended_at"], **rest})]
    ops = [Op(row["started_at"], 0, "start", uid, start)]
    if row["outcome"] is not None:
        end = {"ended_at": row["ended_at"], "outcome": row["outcome"], **rest}
        ops.append(Op(row["ended_at"], 2, "end", uid, end))
    return ops


def _check_number(key: str, got: Any, want: Any, n: int) -> None:
    if want is None or got is None:
        assert got == want, key
    elif key in ("wait_sum_s", "asa_s"):  # SQLite sums waits to the millisecond (sql_time.py)
        assert got == pytest.approx(want, abs=2e-3 * (n if key == "wait_sum_s" else 1)), key
    elif isinstance(want, float):  # float sums: the order of addition may differ
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9), key
    else:
        assert got == want, key


def assert_same_counts(got: Counts, want: Counts) -> None:
    g, w = got.as_dict(), want.as_dict()
    assert set(g) == set(w)
    for key, value in w.items():
        _check_number(key, g[key], value, max(1, want.wait_n))


def assert_same_as_report(live: DayFigures, report: Stats) -> None:
    """Center, hours, agents (answered, talk, survey, offers) and outbound outcomes."""
    assert live.period == report.period
    assert_same_counts(live.center, report.center)
    assert [h for h, _ in live.by_hour] == [h for h, _ in report.by_hour] == list(range(24))
    for (_h, got), (_h2, want) in zip(live.by_hour, report.by_hour, strict=True):
        assert_same_counts(got, want)

    def agent_key(r: Any) -> tuple[Any, ...]:
        return (r.agent_id, r.name, r.offered, r.no_answer, r.answered, r.talk_n, r.survey_n, r.survey_sum)

    assert [agent_key(r) for r in live.agents] == [agent_key(r) for r in report.agents]
    for got, want in zip(live.agents, report.agents, strict=True):
        assert got.talk_sum_s == pytest.approx(want.talk_sum_s, rel=1e-9, abs=1e-9)
    assert live.outbound_outcomes == report.outbound_outcomes
    assert live.outbound_talk_s == pytest.approx(report.outbound_talk_s, rel=1e-9, abs=1e-9)


def assert_same_live(a: DayFigures, b: DayFigures, now: datetime) -> None:
    """Two DayFigures of the same store agree, rolling windows and longest wait included."""
    assert a.period == b.period
    assert_same_counts(a.center, b.center)
    assert a.recent_service_level(now) == b.recent_service_level(now)
    assert a.queued_last_hour(now) == b.queued_last_hour(now)
    assert a.open_calls == b.open_calls
    if a.longest_wait_s is None or b.longest_wait_s is None:
        assert a.longest_wait_s == b.longest_wait_s
    else:
        assert a.longest_wait_s == pytest.approx(b.longest_wait_s, abs=2e-3)
