"""The daemon's report-rollup task (hotline/reports/rollup_job.py): a round computes the days the
triggers marked, except the UTC day that is still going on; rounds come every interval; an
unreachable store is logged, not fatal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from report_day import call
from rollup_days import rollup_days

from hotline.reports.figures import Thresholds
from hotline.reports.rollup import day_number
from hotline.reports.rollup_job import RollupJob
from hotline.store.db import make_engine
from hotline.store.models import Call, table_of

DAY_AFTER = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # the calls below are on the 23rd (UTC)


class Stop(Exception):
    pass


async def test_rounds_compute_the_marked_days(engine):
    slept: list[float] = []
    rounds: list[int] = []
    job = RollupJob(engine, Thresholds(), lambda: DAY_AFTER, every_s=30.0)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 1:  # a call arrives before the first round
            row = call("j1", "2026-11-23 10:00:00", "ivr_only") | {"survey_source": None}
            async with engine.begin() as conn:
                await conn.execute(sa.insert(table_of(Call)), [row])
        if len(slept) == 3:
            raise Stop

    job.sleep = sleep
    once = job.once

    async def counted() -> int:
        rounds.append(await once())
        return rounds[-1]

    job.once = counted  # type: ignore[method-assign]
    with pytest.raises(Stop):
        await job.run()
    assert slept == [30.0, 30.0, 30.0]
    assert rounds == [1, 0]  # the call's day, then nothing changed


async def test_an_unreachable_store_is_a_round_with_nothing_done(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'x' / 'store.db'}")
    (tmp_path / "no-such-dir" / "x" / "store.db").mkdir(parents=True)  # a directory: cannot open
    try:
        assert await RollupJob(engine, Thresholds(), lambda: DAY_AFTER).once() == 0
    finally:
        await engine.dispose()


async def test_the_day_still_going_on_is_left_to_the_raw_rows_until_it_is_over(engine):
    """Every call of the day marks it dirty again: computing it each round would be thrown away
    (reports read a dirty day from the raw rows) and costs the daemon a scan of the day a minute."""
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    job = RollupJob(engine, Thresholds(), lambda: now)
    rows = [
        call("y1", "2026-11-22 23:59:00", "ivr_only") | {"survey_source": None},
        call("t1", "2026-11-23 10:00:00", "ivr_only") | {"survey_source": None},
    ]
    async with engine.begin() as conn:
        await conn.execute(sa.insert(table_of(Call)), rows)
    yesterday, today = day_number(datetime(2026, 11, 22, tzinfo=UTC)), day_number(now)

    assert await job.once() == 1
    days = await rollup_days(engine)
    assert days[yesterday][:2] == (False, True)
    assert days[today] == (True, False, 0)  # not claimed, not computed: still marked

    now = datetime(2026, 11, 24, 0, 0, 30, tzinfo=UTC)  # the 23rd is over
    assert await job.once() == 1
    assert (await rollup_days(engine))[today][:2] == (False, True)
