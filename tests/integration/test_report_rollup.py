"""The report rollup (hotline/reports/rollup*.py, migration 0012) on SQLite and PostgreSQL:
hand-counted figures read through the rollup, rollup == raw field by field, the triggers' dirty
marks (a disposition after the call, a new call), their recomputing, an idempotent rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from report_day import SHANGHAI, at, call, event
from rollup_days import rollup_days

from hotline.reports.desk_queries import desk_tables
from hotline.reports.figures import Thresholds
from hotline.reports.period import month_period
from hotline.reports.rollup import UTC_ZONE, _claim, compute_day, day_number, local_days, rebuild, refresh
from hotline.reports.rollup_read import split
from hotline.reports.stats import compute_stats
from hotline.settings.categories import Categories
from hotline.store.dispositions import save_disposition
from hotline.store.models import Call, CallEvent, table_of
from hotline.store.rollup_models import RollupAnswered
from lab.figures_diff import differences

TH = Thresholds()
NOV = month_period(2026, 11, SHANGHAI)
AGENTS = [("001", "张三"), ("002", "李四")]
S = timedelta(seconds=1)


def _calls() -> list[dict[str, object]]:
    rows = [
        call(
            "r1",
            "2026-11-10 10:00:00",
            "agent_answered",
            queued=20,
            wait=10 * S,
            talk=100.0,
            agent="001",
            category="bill_query",
            survey=5,
        ),
        call("r2", "2026-11-10 11:00:00", "abandoned_queue", queued=20, wait=3 * S, category="bill_query"),
        call(
            "r3",
            "2026-11-11 09:00:00",
            "agent_answered",
            queued=30,
            wait=15 * S,
            talk=60.5,
            agent="002",
            category="outage_query",
        ),
        call("r4", "2026-11-11 09:30:00", "ivr_only", category="outage_query"),
        call("r5", "2026-11-11 10:00:00", "answered", direction="outbound", talk=30.0, agent="001"),
        # 00:30 Shanghai = 16:30 UTC the day before: in the month's partial first UTC day (raw)
        call("r6", "2026-11-01 00:30:00", "blocked"),
    ]
    for row in rows:
        row["survey_source"] = "agent" if row["survey_score"] is not None else None
    return rows


def _events() -> list[dict[str, object]]:
    return [
        event("r1", at("2026-11-10 10:00:25"), "offer", "001"),
        event("r3", at("2026-11-11 09:00:30"), "offer", "001"),
        event("r3", at("2026-11-11 09:00:42"), "no_answer", "001"),
        event("r3", at("2026-11-11 09:00:43"), "offer", "002"),
    ]


async def _load(engine, calls, events=()) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(table_of(Call)), calls)
        if events:
            await conn.execute(sa.insert(table_of(CallEvent)), list(events))


async def _days(engine) -> dict[int, tuple[bool, bool]]:
    return {day: row[:2] for day, row in (await rollup_days(engine)).items()}  # (dirty, ready)


async def _both(engine, period, th=TH):
    raw = await compute_stats(engine, period, th, AGENTS)
    rolled = await compute_stats(engine, period, th, AGENTS, rollup=True)
    return raw, rolled


async def _clean_days(engine, period, th=TH) -> int:
    async with engine.connect() as conn:
        return sum(hi - lo for lo, hi in (await split(conn, period, th)).clean)


async def test_hand_counted_month_through_the_rollup(engine):
    await _load(engine, _calls(), _events())
    assert await rebuild(engine, TH) == 12  # UTC Oct 31 .. Nov 11: the first and the last call's days
    # the month is Oct 31 16:00 .. Nov 30 16:00 UTC: Oct 31 is partial (raw), Nov 1..11 clean
    assert await _clean_days(engine, NOV) == 11
    raw, rolled = await _both(engine, NOV)
    c = rolled.center
    assert (c.inbound, c.blocked, c.offered, c.answered, c.answered_within) == (5, 1, 3, 2, 1)
    assert (c.abandoned, c.abandoned_within, c.short_abandoned) == (1, 1, 1)
    assert (c.wait_n, c.talk_n, c.talk_sum_s, c.survey_n, c.survey_sum) == (2, 2, 160.5, 1, 5)
    assert c.wait_sum_s == pytest.approx(25.0, abs=0.002)
    assert rolled.outbound_outcomes["answered"] == 1 and rolled.outbound_talk_s == 30.0
    assert rolled.inbound_outcomes["ivr_only"] == 1 and rolled.inbound_outcomes["blocked"] == 1
    agents = {a.agent_id: (a.offered, a.no_answer, a.answered, a.talk_sum_s) for a in rolled.agents}
    assert agents == {"001": (2, 1, 1, 100.0), "002": (1, 0, 1, 60.5)}
    assert rolled.agent_category_sources == {"disposition": 0, "menu": 2, "none": 0}
    assert differences(raw, rolled) == []


async def test_rollup_rows_hold_the_days_groups(engine):
    await _load(engine, _calls(), _events())
    await rebuild(engine, TH)
    a = table_of(RollupAnswered).c
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(a.day, a.agent_id, a.calls, a.talk_sum_s).order_by(a.day))).all()
    nov10 = day_number(datetime(2026, 11, 10, tzinfo=UTC))
    assert [tuple(r) for r in rows] == [(nov10, "001", 1, 100.0), (nov10 + 1, "002", 1, 60.5)]


async def test_a_disposition_after_the_call_marks_its_day_and_the_refresh_files_it(engine):
    await _load(engine, _calls(), _events())
    await rebuild(engine, TH)
    nov10 = day_number(datetime(2026, 11, 10, tzinfo=UTC))
    assert (await _days(engine))[nov10] == (False, True)
    await save_disposition(
        engine,
        uniqueid="r1",
        agent_id="001",
        category="fault_repair",
        note=None,
        at=at("2026-11-10 10:05:00"),
        categories=Categories(),
    )
    assert (await _days(engine))[nov10] == (True, True)  # dirty: read raw until refreshed
    raw, rolled = await _both(engine, NOV)
    assert rolled.agent_category_sources == {"disposition": 1, "menu": 1, "none": 0}
    assert differences(raw, rolled) == []
    assert await refresh(engine, TH) == 1
    assert (await _days(engine))[nov10] == (False, True)
    a = table_of(RollupAnswered).c
    async with engine.connect() as conn:
        category = await conn.scalar(sa.select(a.agent_category).where(a.day == nov10))
    assert category == "fault_repair"
    assert differences(raw, (await _both(engine, NOV))[1]) == []


async def test_a_new_call_in_a_clean_day_is_counted_at_once_and_recomputed(engine):
    await _load(engine, _calls(), _events())
    await rebuild(engine, TH)
    before = (await _both(engine, NOV))[1].center.inbound
    await _load(
        engine, [call("r7", "2026-11-05 12:00:00", "ivr_only", category="policy") | {"survey_source": None}]
    )
    assert await _clean_days(engine, NOV) == 10  # Nov 5 is dirty
    raw, rolled = await _both(engine, NOV)
    assert rolled.center.inbound == before + 1 and differences(raw, rolled) == []
    assert await refresh(engine, TH) == 1 and await refresh(engine, TH) == 0
    assert await _clean_days(engine, NOV) == 11
    assert differences(raw, (await _both(engine, NOV))[1]) == []


async def test_other_thresholds_read_raw_until_recomputed(engine):
    await _load(engine, _calls(), _events())
    await rebuild(engine, TH)
    strict = Thresholds(answer_target_s=9.0, short_abandon_s=2.0)
    assert await _clean_days(engine, NOV, strict) == 0
    raw, rolled = await _both(engine, NOV, strict)
    assert (rolled.center.answered_within, rolled.center.short_abandoned) == (0, 0)
    assert differences(raw, rolled) == []
    assert await refresh(engine, strict) == 12
    assert await _clean_days(engine, NOV, strict) == 11
    assert differences(raw, (await _both(engine, NOV, strict))[1]) == []


async def _rollup_rows(engine) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    async with engine.connect() as conn:
        for name in ("days", "slots", "answered", "other", "offers", "surveys"):
            t = sa.table(f"report_rollup_{name}", *(sa.column(c) for c in ROLLUP_COLUMNS[name]))
            rows = (await conn.execute(sa.select(t))).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


ROLLUP_COLUMNS = {
    "days": ("day", "dirty", "ready", "answer_target_s", "short_abandon_s"),
    "slots": ("slot", "day", "inbound", "answered", "talk_sum_s", "wait_sum_s"),
    "answered": ("day", "agent_id", "agent_category", "business_category", "calls", "talk_sum_s"),
    "other": ("day", "direction", "business_category", "outcome", "queued", "calls"),
    "offers": ("day", "agent_id", "offers", "no_answer"),
    "surveys": ("day", "survey_source", "survey_score", "calls"),
}


async def test_rebuild_is_idempotent_and_takes_a_range(engine):
    await _load(engine, _calls(), _events())
    await rebuild(engine, TH)
    first = await _rollup_rows(engine)
    assert await rebuild(engine, TH) == 12
    assert await _rollup_rows(engine) == first
    nov10 = local_days(date(2026, 11, 10), date(2026, 11, 10), UTC_ZONE)
    assert nov10[0] == nov10[1] == day_number(datetime(2026, 11, 10, tzinfo=UTC))
    assert await rebuild(engine, TH, nov10) == 1
    assert await _rollup_rows(engine) == first
    # local days of Shanghai (+08:00) straddle two UTC days each
    assert local_days(date(2026, 11, 10), date(2026, 11, 11), SHANGHAI) == (nov10[0] - 1, nov10[0] + 1)
    with pytest.raises(ValueError, match="after"):
        local_days(date(2026, 11, 11), date(2026, 11, 10), SHANGHAI)
    with pytest.raises(ValueError, match="after"):
        await rebuild(engine, TH, (nov10[0] + 1, nov10[0]))


async def test_desk_surveys_through_the_rollup(engine):
    await _load(engine, _calls(), _events())
    await rebuild(engine, TH)
    raw = await desk_tables(engine, NOV)
    rolled = await desk_tables(engine, NOV, rollup=True)
    assert differences(raw.surveys, rolled.surveys) == []
    agent = next(t for t in rolled.surveys if t.source == "agent")
    assert agent.by_score[5] == 1


async def test_an_older_claim_does_not_overwrite_a_newer_one(engine):
    """The daemon's refresh and the command's at once: the one that claimed a day first and
    finishes last must not write the figures it read before a later write."""
    await _load(engine, _calls(), _events())
    await rebuild(engine, TH)
    await _load(engine, [call("r8", "2026-11-10 13:00:00", "ivr_only") | {"survey_source": None}])
    nov10 = day_number(datetime(2026, 11, 10, tzinfo=UTC))
    (first,) = await _claim(engine, TH)  # refresh A claims the day...
    await _load(engine, [call("r9", "2026-11-10 14:00:00", "ivr_only") | {"survey_source": None}])
    (second,) = await _claim(engine, TH)  # ...a call comes, refresh B claims it again
    assert first[0] == second[0] == nov10 and second[1] == first[1] + 1
    assert await compute_day(engine, nov10, second[1], TH)
    assert not await compute_day(engine, nov10, first[1], TH)  # A finishes last: writes nothing
    raw, rolled = await _both(engine, NOV)
    assert await _clean_days(engine, NOV) == 11
    assert rolled.center.inbound == 7 and differences(raw, rolled) == []
