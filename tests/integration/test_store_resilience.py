"""The recorder keeps its items while the database refuses them, and one bad row can't stall it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from polling import until
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs

from hotline.store import CallRecorder, fetch_calls, fetch_events, make_engine, upgrade

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)

POISON_TRIGGER = {
    "sqlite": [
        """CREATE TRIGGER poison BEFORE INSERT ON calls WHEN NEW.uniqueid = 'poison'
           BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"""
    ],
    "postgresql": [
        """CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.uniqueid = 'poison' THEN
             RAISE EXCEPTION 'poisoned row' USING ERRCODE = 'check_violation'; END IF;
           RETURN NEW; END $$""",
        "CREATE TRIGGER poison BEFORE INSERT ON calls FOR EACH ROW EXECUTE FUNCTION poison()",
    ],
}


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(db_url)  # no migrations yet: each test decides
    yield eng
    await eng.dispose()


async def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    await until(condition, timeout_s)


def start(rec: CallRecorder, uid: str) -> None:
    rec.call_started(uid, direction="inbound", started_at=T0, caller_number="13800138000",
                     caller_name=None, dnid="95598", trunk="PJSIP/fxo-gw-00000001")  # fmt: skip


async def test_failed_writes_are_retried_until_the_database_accepts_them(db_url, engine):
    rec = CallRecorder(engine, retry_initial_s=0.01, retry_max_s=0.05)
    with capture_logs() as logs:
        rec.start()
        start(rec, "retry.1")
        rec.event("retry.1", T0, "menu", {"key": "1"})
        rec.call_ended("retry.1", ended_at=T0, outcome="ivr_only")
        await wait_until(lambda: sum(e["event"] == "store.write_failed" for e in logs) >= 3)
        await upgrade(db_url)  # the tables appear: the kept batch must now be written
        await rec.close()
    failed = [e for e in logs if e["event"] == "store.write_failed"]
    assert failed[0]["log_level"] == "error" and failed[0]["items"] == 3
    assert [e["attempt"] for e in failed[:3]] == [1, 2, 3]
    assert any(e["event"] == "store.write_recovered" for e in logs)
    [call] = await fetch_calls(engine)
    assert (call.uniqueid, call.outcome) == ("retry.1", "ivr_only")
    assert [e.kind for e in await fetch_events(engine, "retry.1")] == ["menu"]


async def test_a_row_the_database_refuses_is_dropped_loudly_and_the_rest_written(db_url, engine):
    await upgrade(db_url)
    async with engine.begin() as conn:
        for ddl in POISON_TRIGGER[engine.dialect.name]:
            await conn.execute(text(ddl))
    rec = CallRecorder(engine)
    for uid in ("good.1", "poison", "good.2"):
        start(rec, uid)
    rec.call_ended("good.2", ended_at=T0, outcome="ivr_only")
    with capture_logs() as logs:
        rec.start()
        await rec.close()
    dropped = [e for e in logs if e["event"] == "store.item_dropped"]
    assert len(dropped) == 1 and "poison" in dropped[0]["item"] and "poisoned row" in dropped[0]["error"]
    assert {c.uniqueid: c.outcome for c in await fetch_calls(engine)} == {
        "good.1": None,
        "good.2": "ivr_only",
    }


async def test_cancelled_writer_reports_what_it_did_not_write(engine):
    rec = CallRecorder(engine, retry_initial_s=0.01, retry_max_s=0.05)  # no tables: writes fail
    with capture_logs() as logs:
        task = rec.start()
        start(rec, "lost.1")
        rec.event("lost.1", T0, "menu", {})
        await wait_until(lambda: any(e["event"] == "store.write_failed" for e in logs))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        with pytest.raises(RuntimeError, match="2 items were not written"):
            await rec.flush()
    assert {"event": "store.writer_stopped_with_unwritten_items", "items": 2, "log_level": "error"} in logs


async def test_the_writer_keeps_one_connection_and_gives_it_back_when_it_stops(db_url, engine):
    await upgrade(db_url)
    pool = engine.sync_engine.pool
    rec = CallRecorder(engine)
    rec.start()
    for i in range(3):
        start(rec, f"kept.{i}")
        await rec.flush()
        assert pool.checkedout() == 1  # the writer's, kept between batches
    await rec.close()
    assert pool.checkedout() == 0
    assert [c.uniqueid for c in await fetch_calls(engine)] == ["kept.0", "kept.1", "kept.2"]
