"""Database outages: memory stays bounded, what is recorded goes to the spill file, nothing is lost,
order is kept, and a spill file left by a crash is written at the next start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from polling import until
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs
from tcp_gate import TcpGate

from hotline.store import CallEvent, CallRecorder, fetch_call, fetch_calls, make_engine

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
DEADLINE_S = 30.0


class Outage:
    """Takes the database away and brings it back. PostgreSQL: its connections go through a TCP
    gate that is shut (refused, open connections cut). SQLite: the tables are renamed away, so
    every write fails with "no such table"."""

    def __init__(self, url: str, admin: AsyncEngine, gate: TcpGate | None) -> None:
        self.url, self.admin, self.gate = url, admin, gate
        self.on = False

    async def begin(self) -> None:
        self.on = True
        if self.gate is not None:
            await self.gate.shut()
            return
        async with self.admin.begin() as conn:
            await conn.execute(text("ALTER TABLE calls RENAME TO calls_away"))
            await conn.execute(text("ALTER TABLE call_events RENAME TO call_events_away"))

    async def end(self) -> None:
        self.on = False
        if self.gate is not None:
            await self.gate.open()
            return
        async with self.admin.begin() as conn:
            await conn.execute(text("ALTER TABLE calls_away RENAME TO calls"))
            await conn.execute(text("ALTER TABLE call_events_away RENAME TO call_events"))


@pytest.fixture
async def store(db_url: str, engine: AsyncEngine) -> AsyncIterator[tuple[AsyncEngine, Outage, AsyncEngine]]:
    """(the recorder's engine, its outage, an engine that reads the database directly: `engine`)."""
    url = make_url(db_url)
    gate = None
    if url.get_backend_name() == "postgresql":
        gate = TcpGate(url.host, url.port)
        await gate.open()
        url = url.set(port=gate.port)
    recorder_engine = make_engine(url)
    outage = Outage(db_url, engine, gate)
    try:
        yield recorder_engine, outage, engine
    finally:
        if outage.on:
            await outage.end()
        await recorder_engine.dispose()
        if gate is not None:
            await gate.shut()


def record_call(rec: CallRecorder, uid: str, *, end: bool = True) -> list[dict]:
    """A call's start, two events and (with `end`) its end; returns the events' data."""
    rec.call_started(uid, direction="inbound", started_at=T0, caller_number="13800138000",
                     caller_name="张三", dnid="95598", trunk="PJSIP/fxo-gw-00000001")  # fmt: skip
    steps = [
        {"node": "top", "key": "entry", "at": T0.isoformat(), "call": uid},
        {"node": "fault", "key": "1", "at": T0.isoformat(), "call": uid},
    ]
    for step in steps:
        rec.event(uid, T0, "ivr_step", step)
    if end:
        rec.call_ended(uid, ended_at=T0 + timedelta(seconds=30), outcome="ivr_only", ivr_path=steps)
    return steps


async def stored_events(engine: AsyncEngine) -> list[dict]:
    async with engine.connect() as conn:
        return list((await conn.scalars(select(CallEvent.data).order_by(CallEvent.id))).all())


def outcomes(calls) -> dict[str, str | None]:
    return {c.uniqueid: c.outcome for c in calls}


async def test_memory_is_bounded_and_the_overflow_written_in_order(engine, tmp_path):
    spill = tmp_path / "spill.jsonl"
    rec = CallRecorder(engine, spill_path=spill, max_memory_items=10)
    expected = [step for i in range(20) for step in record_call(rec, f"c.{i}")]  # 80 items
    assert (rec.memory_items, rec.spilled_items, rec.backlog) == (10, 70, 80)
    await asyncio.sleep(0)  # one loop turn: the spilled lines are synced
    assert len(spill.read_bytes().splitlines()) == 70
    rec.start()
    async with asyncio.timeout(DEADLINE_S):
        await rec.flush()
    assert await stored_events(engine) == expected
    assert outcomes(await fetch_calls(engine)) == {f"c.{i}": "ivr_only" for i in range(20)}
    assert (rec.backlog, spill.exists()) == (0, False)
    record_call(rec, "after")
    assert (rec.memory_items, rec.spilled_items) == (4, 0)  # the file is drained: memory again
    await rec.close()


async def test_calls_recorded_during_an_outage_are_all_written_after_it(store, tmp_path):
    engine, outage, admin = store
    spill = tmp_path / "spill.jsonl"
    rec = CallRecorder(engine, retry_initial_s=0.01, retry_max_s=0.05, spill_path=spill)
    with capture_logs() as logs:
        rec.start()
        expected = record_call(rec, "before")
        await rec.flush()
        await outage.begin()
        rec.event("probe", T0, "probe", {"probe": 1})  # the write that finds the database gone
        expected.append({"probe": 1})
        await until(lambda: not rec.reachable, DEADLINE_S, "the outage noticed")
        for i in range(20):
            expected += record_call(rec, f"during.{i}")
        assert (rec.memory_items, rec.spilled_items, rec.backlog) == (1, 80, 81)
        await outage.end()
        async with asyncio.timeout(DEADLINE_S):
            await rec.flush()
        assert (rec.reachable, rec.backlog, spill.exists()) == (True, 0, False)
        await rec.close()
    [down] = [e for e in logs if e["event"] == "store.outage"]
    [back] = [e for e in logs if e["event"] == "store.recovered"]
    assert down["log_level"] == "error" and back["outage_s"] >= 0
    assert logs.index(down) < logs.index(back)
    assert await stored_events(admin) == expected
    assert outcomes(await fetch_calls(admin)) == {
        "before": "ivr_only",
        **{f"during.{i}": "ivr_only" for i in range(20)},
    }


async def test_a_spill_file_left_by_a_crash_is_written_at_the_next_start(store, tmp_path):
    engine, outage, admin = store
    spill = tmp_path / "spill.jsonl"
    rec = CallRecorder(engine, retry_initial_s=0.01, retry_max_s=0.05, spill_path=spill)
    task = rec.start()
    await outage.begin()
    rec.event("probe", T0, "probe", {})
    await until(lambda: not rec.reachable, DEADLINE_S, "the outage noticed")
    record_call(rec, "ended.1")
    steps = record_call(rec, "open.1", end=False)
    await asyncio.sleep(0)  # one loop turn: synced, as a SIGKILL now would find it
    assert len(spill.read_bytes().splitlines()) == 7
    task.cancel()  # the crash: what was only in memory (the probe) is gone with the process
    with pytest.raises(asyncio.CancelledError):
        await task
    await outage.end()

    fresh = CallRecorder(engine, spill_path=spill)
    assert fresh.spilled_items == 7
    assert await fresh.recover_orphans(NOW) == 1
    assert (await fetch_call(admin, "ended.1")).outcome == "ivr_only"
    left_open = await fetch_call(admin, "open.1")
    assert (left_open.outcome, left_open.ivr_path) == ("failed", steps)
    assert left_open.failure_reason == "daemon stopped while the caller was in the menu at node 'fault'"
    assert (fresh.spilled_items, spill.exists()) == (0, False)


async def test_a_leftover_spill_file_is_written_before_what_the_new_run_records(engine, tmp_path):
    spill: Path = tmp_path / "spill.jsonl"
    old = CallRecorder(engine, spill_path=spill, max_memory_items=1)
    old.event("filler", T0, "probe", {})  # memory: lost with the old run, never started
    record_call(old, "x", end=False)  # spilled: start and two events
    await asyncio.sleep(0)
    new = CallRecorder(engine, spill_path=spill)
    new.call_ended("x", ended_at=NOW, outcome="ivr_only")  # must come after x's start
    assert new.spilled_items == 4
    new.start()
    async with asyncio.timeout(DEADLINE_S):
        await new.flush()
    x = await fetch_call(engine, "x")
    assert (x.outcome, x.ended_at) == ("ivr_only", NOW)
    assert not spill.exists()
    await new.close()
