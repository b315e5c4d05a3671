"""The daemon's report-rollup task (hotline/reports/rollup_job.py): a round computes the days the
triggers marked; rounds come every interval; an unreachable store is logged, not fatal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from report_day import call

from hotline.reports.figures import Thresholds
from hotline.reports.rollup_job import RollupJob
from hotline.store.db import make_engine
from hotline.store.models import Call, table_of


class Stop(Exception):
    pass


async def test_rounds_compute_the_marked_days(engine):
    slept: list[float] = []
    rounds: list[int] = []
    job = RollupJob(engine, Thresholds(), every_s=30.0)

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
        assert await RollupJob(engine, Thresholds()).once() == 0
    finally:
        await engine.dispose()
