"""Migration 0012's triggers, SQLite and PostgreSQL: they exist at head (a later migration that
rebuilds calls or call_events on SQLite would drop them), and they mark exactly the days whose
report figures a write changes."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from report_day import call, event

from hotline.reports.rollup import day_number
from hotline.store.models import Call, CallEvent, table_of
from hotline.store.rollup_models import RollupDay

TRIGGERS = {
    "report_rollup_calls_insert",
    "report_rollup_calls_update",
    "report_rollup_calls_delete",
    "report_rollup_events_insert",
    "report_rollup_events_delete",
}
_d = table_of(RollupDay)
_c = table_of(Call)
NOV10 = day_number(datetime(2026, 11, 10, tzinfo=UTC))


async def test_the_triggers_exist_at_head(engine):
    sqlite = engine.dialect.name == "sqlite"
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        if sqlite
        else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    )
    async with engine.connect() as conn:
        names = set((await conn.scalars(sa.text(query))).all())
    assert names >= TRIGGERS


async def _dirty(engine) -> dict[int, bool]:
    async with engine.connect() as conn:
        return {int(r[0]): bool(r[1]) for r in await conn.execute(sa.select(_d.c.day, _d.c.dirty))}


async def _clean_all(engine) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.update(_d).values(dirty=False))


async def _write(engine, stmt, rows=None) -> None:
    async with engine.begin() as conn:
        await conn.execute(stmt, rows) if rows is not None else await conn.execute(stmt)


async def test_each_write_marks_its_days(engine):
    row = call("t1", "2026-11-10 12:00:00", None) | {"survey_source": None}  # 04:00 UTC, Nov 10
    await _write(engine, sa.insert(_c), [row])
    assert await _dirty(engine) == {NOV10: True}
    await _clean_all(engine)
    # a column no report reads: nothing marked
    await _write(engine, sa.update(_c).where(_c.c.uniqueid == "t1").values(recording_path="/r/t1.wav"))
    assert await _dirty(engine) == {NOV10: False}
    # the call ends: its day
    await _write(engine, sa.update(_c).where(_c.c.uniqueid == "t1").values(outcome="ivr_only"))
    assert await _dirty(engine) == {NOV10: True}
    await _clean_all(engine)
    # a start time moved to the next day: both days
    later = datetime(2026, 11, 11, 4, tzinfo=UTC)
    await _write(engine, sa.update(_c).where(_c.c.uniqueid == "t1").values(started_at=later))
    assert await _dirty(engine) == {NOV10: True, NOV10 + 1: True}
    await _clean_all(engine)
    await _write(engine, sa.delete(_c).where(_c.c.uniqueid == "t1"))
    assert await _dirty(engine) == {NOV10: False, NOV10 + 1: True}


async def test_offer_events_mark_their_own_day_and_other_events_do_not(engine):
    events = table_of(CallEvent)
    ivr = event("t2", datetime(2026, 11, 12, 1, tzinfo=UTC), "ivr_step", None)
    await _write(engine, sa.insert(events), [ivr])
    assert await _dirty(engine) == {}
    offer = event("t2", datetime(2026, 11, 12, 23, 59, 59, tzinfo=UTC), "no_answer", "001")
    await _write(engine, sa.insert(events), [offer])
    assert await _dirty(engine) == {NOV10 + 2: True}
    await _clean_all(engine)
    await _write(engine, sa.delete(events).where(events.c.kind == "no_answer"))
    assert await _dirty(engine) == {NOV10 + 2: True}
