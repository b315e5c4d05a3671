"""After a crash, calls left open are closed at the next start from what their events say."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hotline.store import ORPHAN_REASON, CallRecorder, fetch_call

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def start(rec: CallRecorder, uid: str) -> None:
    rec.call_started(uid, direction="inbound", started_at=T0, caller_number="13800138000",
                     caller_name=None, dnid="95598", trunk="PJSIP/fxo-gw-00000001")  # fmt: skip


def walk_menu(rec: CallRecorder, uid: str) -> list[dict]:
    path = []
    for s, node, key in ((1, "top", "entry"), (4, "fault", "1"), (6, "agent", "0")):
        entry = {"node": node, "key": key, "at": at(s).isoformat()}
        rec.event(uid, at(s), "ivr_step", entry)
        path.append(entry)
    return path


def acd(rec: CallRecorder, uid: str, s: float, kind: str, agent: str | None, **data) -> None:
    rec.event(uid, at(s), kind, {**data, "agent_id": agent})


async def crash(rec: CallRecorder, task: asyncio.Task) -> None:
    """What a SIGKILL leaves: everything flushed is stored, the calls were never ended."""
    await rec.flush()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_open_calls_are_closed_from_their_events(engine):
    rec = CallRecorder(engine)
    task = rec.start()
    for uid in ("talking", "queued", "menu", "bare"):
        start(rec, uid)
    path = walk_menu(rec, "talking")
    acd(rec, "talking", 6.5, "queued", None, category="fault_repair", priority=0, wait_s=0.5)
    acd(rec, "talking", 6.5, "offer", "001", attempt=1, wait_s=0.5, late=False)
    acd(rec, "talking", 18.5, "no_answer", "001", attempt=1, ring_s=12.0, wait_s=12.5)
    acd(rec, "talking", 18.5, "offer", "002", attempt=2, wait_s=12.5, late=True)
    acd(rec, "talking", 21.0, "answer", "002", attempt=2, ring_s=2.5, wait_s=15.0)
    walk_menu(rec, "queued")
    acd(rec, "queued", 6.5, "queued", None, category="fault_repair", priority=10, wait_s=0.5)
    rec.event("menu", at(1), "ivr_step", {"node": "top", "key": "entry", "at": at(1).isoformat()})
    await crash(rec, task)

    fresh = CallRecorder(engine)
    assert await fresh.recover_orphans(NOW, extensions={"002": "1002"}) == 4
    talking = await fetch_call(engine, "talking")
    assert (talking.outcome, talking.agent_id, talking.agent_extension) == ("agent_answered", "002", "1002")
    assert talking.ivr_path == path and talking.talk_started_at == at(21.0)
    assert (talking.queued_at, talking.agents_rung, talking.ring_time_s) == (at(6.0), 2, 14.5)
    assert talking.business_category == "fault_repair"
    assert talking.failure_reason == "daemon stopped while the caller was talking to agent 002"
    queued = await fetch_call(engine, "queued")
    assert (queued.outcome, queued.priority, queued.agent_id) == ("failed", 10, None)
    assert queued.failure_reason == "daemon stopped while the caller was queued for an agent"
    menu = await fetch_call(engine, "menu")
    assert menu.failure_reason == "daemon stopped while the caller was in the menu at node 'top'"
    bare = await fetch_call(engine, "bare")
    assert (bare.outcome, bare.failure_reason, bare.ended_at) == ("failed", ORPHAN_REASON, NOW)
    assert await fresh.recover_orphans(NOW) == 0


async def test_a_value_the_column_cannot_hold_is_left_out_not_fatal(engine):
    rec = CallRecorder(engine)
    task = rec.start()
    start(rec, "odd")
    acd(rec, "odd", 2, "queued", None, category="c" * 300, priority=1, wait_s=0)
    acd(rec, "odd", 3, "offer", "x" * 40, attempt=1, wait_s=1, late=False)
    await crash(rec, task)
    assert await CallRecorder(engine).recover_orphans(NOW) == 1
    odd = await fetch_call(engine, "odd")
    assert (odd.outcome, odd.business_category, odd.priority, odd.agents_rung) == ("failed", None, 1, 1)
