"""THE EQUALITY TEST: random days of calls written through the real recorder to a real SQLite
store; the live figures fed with the same items equal `compute_stats` for their day, at a point in
the middle and at the end; a load in the middle then the rest of the items, and a load at the end
(a restart), give the same figures.

The days hold every inbound outcome, outbound calls, blocked and open calls, the 12 s / 5 s
boundaries to the microsecond, calls starting just before midnight and ending after it, calls of
the day before, fallback calls with and without an agent, offer / no_answer events (some after
midnight, some without an agent), the ACD's queued / answer events; items go to the recorder in
time order, as the call flows hand them over.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_day_feed import AGENTS, Op, TappedRecorder, assert_same_as_report, assert_same_live, play

from hotline.reports.figures import Thresholds
from hotline.reports.live_day import DayFigures
from hotline.reports.live_load import load_day
from hotline.reports.period import day_period, zone
from hotline.reports.stats import compute_stats
from hotline.store.db import make_engine, upgrade

SH = zone("Asia/Shanghai")
DAY = day_period(date(2026, 11, 23), SH)
TH = Thresholds()
S, US = timedelta(seconds=1), timedelta(microseconds=1)
INBOUND = ("ivr_only", "agent_answered", "abandoned_queue", "abandoned_ringing", "message_left",
           "callback_requested", "failed", "fallback")  # fmt: skip
OUTBOUND = ("answered", "busy", "no_answer", "cancelled", "failed")
BORDER_WAITS = [12 * S, 12 * S + US, 12 * S - US, 5 * S, 5 * S - US, 5 * S + US, timedelta(0)]
BORDER = st.sampled_from(BORDER_WAITS)
WAITS = st.one_of(BORDER, BORDER, st.integers(0, 90_000_000).map(lambda us: us * US))
AGENT = st.one_of(st.none(), st.sampled_from([a for a, _ in AGENTS]))


def starts(late: bool) -> st.SearchStrategy[datetime]:
    last = DAY.end + (30 * S if late else -US)
    edges = [DAY.start - US, DAY.start, DAY.end - 20 * S, DAY.end - US] + ([DAY.end] if late else [])
    spread = st.integers(-7200, int((last - DAY.start) / US) // 1_000_000).map(lambda s: DAY.start + s * S)
    return st.one_of(
        st.sampled_from(edges), spread, st.integers(0, 10**6).map(lambda u: DAY.start + 2 * S + u * US)
    )


@st.composite
def a_call(draw: st.DrawFn, uid: str, late: bool, border: bool = False) -> list[Op]:
    """A random call; a `border` call is an inbound one answered or abandoned after a queue wait
    on a threshold (12 s, 5 s, a microsecond either side)."""
    t0 = draw(starts(late))
    outbound = not border and draw(st.integers(0, 5)) == 0
    kind = "ended" if border else draw(st.sampled_from(["ended", "ended", "ended", "open", "blocked"]))
    start = {"direction": "outbound" if outbound else "inbound", "started_at": t0}
    survey = draw(st.one_of(st.none(), st.integers(1, 5)))
    if kind == "blocked":
        return [Op(t0, 0, "blocked", uid, {**start, "ended_at": t0, "survey_score": survey})]
    ops = [Op(t0, 0, "start", uid, start)]
    if kind == "open":
        return ops + draw(events(uid, t0 + S, None, late))
    outcomes = ("agent_answered", "abandoned_queue") if border else OUTBOUND if outbound else INBOUND
    outcome = draw(st.sampled_from(outcomes))
    queued = None if outbound or draw(st.integers(0, 3)) == 0 else t0 + draw(st.integers(0, 120)) * S
    if border:
        queued = t0 + draw(st.integers(0, 120)) * S
    wait, agent = draw(BORDER if border else WAITS), draw(AGENT)
    talk = draw(st.one_of(st.none(), st.floats(0, 900, allow_nan=False)))
    answered = outcome == "agent_answered" or (outcome == "fallback" and agent is not None)
    timed = border or draw(st.integers(0, 3)) > 0
    talk_at = queued + wait if answered and queued is not None and timed else None
    if talk_at is not None:
        ended = talk_at + (talk or 0) * S
    else:  # an abandon ends its wait exactly (the 12 s / 5 s boundaries)
        ended = queued + wait if queued is not None else t0 + 60 * S
    fields = {"queued_at": queued, "talk_started_at": talk_at, "talk_s": talk, "agent_id": agent}
    end = {"ended_at": ended, "outcome": outcome, "survey_score": survey, **fields}
    return ops + draw(events(uid, queued or t0, talk_at, late)) + [Op(ended, 2, "end", uid, end)]


@st.composite
def events(draw: st.DrawFn, uid: str, queued: datetime, talk_at: datetime | None, late: bool) -> list[Op]:
    """The ACD's events of a call: queued, offers / no-answers (maybe after midnight), the answer."""
    out = [Op(queued, 1, "event", uid, {"kind": "queued", "data": {"category": "x", "wait_s": 0.0}})]
    for _ in range(draw(st.integers(0, 3))):
        at = queued + draw(st.integers(0, 40_000_000)) * US
        kind, agent = draw(st.sampled_from(["offer", "no_answer", "ring"])), draw(AGENT)
        out.append(
            Op(at, 1, "event", uid, {"kind": kind, "data": {} if agent is None else {"agent_id": agent}})
        )
    if talk_at is not None:
        waited = round((talk_at - queued).total_seconds(), 3)
        out.append(
            Op(talk_at, 1, "event", uid, {"kind": "answer", "data": {"agent_id": "001", "wait_s": waited}})
        )
    return [op for op in out if late or op.at < DAY.end]


@st.composite
def a_day(draw: st.DrawFn) -> tuple[list[Op], int]:
    late = draw(st.booleans())  # items after midnight: the figures roll to the next day
    n, borders = draw(st.integers(1, 25)), draw(st.integers(2, 8))
    ops = [op for i in range(n) for op in draw(a_call(f"c{i}", late))]
    ops += [op for i in range(borders) for op in draw(a_call(f"b{i}", late, border=True))]
    ops.sort(key=lambda op: (op.at, op.phase))
    return ops, draw(st.integers(0, len(ops)))


@pytest.fixture(scope="module")
def template() -> Path:
    """A migrated empty SQLite store, copied for each example (migrating costs more than a day)."""
    path = Path(tempfile.mkdtemp()) / "template.db"
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


async def _check_now(engine, live: DayFigures, now: datetime) -> None:
    """The live figures against the report of their day and against a fresh load (a restart)."""
    assert_same_as_report(live, await compute_stats(engine, live.period, TH, AGENTS))
    loaded = await load_day(engine, live.period, TH, AGENTS, now=now)
    assert_same_as_report(loaded, await compute_stats(engine, live.period, TH, AGENTS))
    assert_same_live(live, loaded, now)


async def _scenario(url: str, ops: list[Op], k: int) -> None:
    """Write the ops; check at the last item before midnight (the whole day, before the figures
    roll), at `k` (where a restart loads) and at the end."""
    engine = make_engine(url)
    try:
        live = DayFigures(DAY, TH, AGENTS)
        taps = [live]
        rec = TappedRecorder(engine, taps)
        rec.start()
        midnight = next((i for i, op in enumerate(ops) if op.at >= DAY.end), len(ops))
        for i, op in enumerate([*ops, None]):
            if i in (k, midnight, len(ops)):
                await rec.flush()
                now = ops[i - 1].at if i else DAY.start
                await _check_now(engine, live, now)
                if i == k:  # a restart here: it goes on from a load
                    taps.append(await load_day(engine, live.period, TH, AGENTS, now=now))
                else:
                    assert_same_live(live, taps[-1], now)
            if op is not None:
                play(rec, op)
        await rec.close()
        assert_same_as_report(taps[-1], await compute_stats(engine, live.period, TH, AGENTS))
    finally:
        await engine.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=a_day())
def test_live_figures_equal_the_report(template: Path, day: tuple[list[Op], int]) -> None:
    ops, k = day
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "hotline.db"
        shutil.copy(template, db)
        asyncio.run(_scenario(f"sqlite+aiosqlite:///{db}", ops, k))
