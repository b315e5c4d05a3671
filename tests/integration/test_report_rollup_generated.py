"""Rollup == raw rows, field by field, on generated data (bench/month_calls.py's generator: seed
002's mix over a month), on SQLite and PostgreSQL: with every day rolled up, and with some days
dirty (a disposition, new calls) so that rollup and raw stretches are mixed in one report."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

from hotline.reports.desk_queries import desk_tables
from hotline.reports.figures import Thresholds
from hotline.reports.period import month_period, year_period, zone
from hotline.reports.rollup import local_days, rebuild, refresh
from hotline.reports.stats import compute_stats
from hotline.store.models import Call, CallEvent, table_of
from lab.figures_diff import differences

TH = Thresholds()
CALLS = 3000


def _generator() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "month_calls.py"
    spec = importlib.util.spec_from_file_location("month_calls_for_rollup_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def _load(engine) -> ModuleType:
    gen = _generator()
    async with engine.begin() as conn:
        for calls, events in gen.generate(CALLS):
            rows = [dict(zip(gen.CALL_COLS, row, strict=True)) for row in calls]
            for row in rows:
                row["ivr_path"] = json.loads(str(row["ivr_path"]))
                row["survey_source"] = "agent" if row["survey_score"] is not None else None
            await conn.execute(sa.insert(table_of(Call)), rows)
            await conn.execute(
                sa.insert(table_of(CallEvent)),
                [{"call_uniqueid": u, "at": t, "kind": k, "data": json.loads(d)} for u, t, k, d in events],
            )
    return gen


async def _compare(engine, period, agents) -> None:
    raw = await compute_stats(engine, period, TH, agents)
    rolled = await compute_stats(engine, period, TH, agents, rollup=True)
    assert raw.center.inbound > 0
    assert differences(raw, rolled) == []


async def test_generated_month_and_year_rollup_equal_raw(engine):
    gen = await _load(engine)
    nov = gen.PERIOD
    await rebuild(engine, TH)
    await _compare(engine, nov, gen.AGENT_NAMES)
    await _compare(engine, year_period(2026, zone("Asia/Shanghai")), gen.AGENT_NAMES)
    await _compare(engine, month_period(2026, 11, zone("Asia/Kathmandu")), gen.AGENT_NAMES)  # +05:45
    raw = await desk_tables(engine, nov)
    rolled = await desk_tables(engine, nov, rollup=True)
    assert sum(t.n for t in raw.surveys) > 0
    assert differences(raw, rolled) == []


async def test_generated_month_with_dirty_days_mixed_in(engine):
    gen = await _load(engine)
    await rebuild(engine, TH)
    c = table_of(Call).c
    async with engine.begin() as conn:  # wrap-up dispositions on two days, after the rollup
        uids = (
            await conn.scalars(sa.select(c.uniqueid).where(c.outcome == "agent_answered").limit(40))
        ).all()
        await conn.execute(
            sa.update(table_of(Call)).where(c.uniqueid.in_(uids)).values(agent_category="complaint")
        )
    await rebuild(engine, TH, local_days(date(2026, 11, 20), date(2026, 11, 22), gen.TZ))
    async with engine.begin() as conn:  # a late reconciliation moves a call's outcome
        uid = await conn.scalar(sa.select(c.uniqueid).where(c.outcome == "ivr_only").order_by(c.id.desc()))
        await conn.execute(sa.update(table_of(Call)).where(c.uniqueid == uid).values(outcome="failed"))
    await _compare(engine, gen.PERIOD, gen.AGENT_NAMES)
    assert await refresh(engine, TH) >= 1
    await _compare(engine, gen.PERIOD, gen.AGENT_NAMES)
