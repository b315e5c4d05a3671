"""The recorder's group commit windows (`linger_s`, and `busy_window_s` under load): without a
window a lone item is committed at once, with one the writer waits it out first. The writer's
sleep is injected: a lingering writer blocks on it until the test releases it, so a window
applied where none should be shows as a row that never appears (within the polling deadline),
not as a slow test."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from daemon_settings import daemon_settings
from polling import until
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.daemon.store_start import open_store
from hotline.store import CallRecorder, fetch_call, fetch_events

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DEADLINE_S = 10.0


class HeldSleep:
    """A sleep that records what it was asked for and returns only once released."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.released = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await self.released.wait()


def transactions(rec: CallRecorder) -> list[int]:
    """The items of each transaction `rec` commits from now on, in order."""
    seen: list[int] = []
    rec.committed.add(seen.append)
    return seen


def start(rec: CallRecorder, uid: str) -> None:
    rec.call_started(uid, direction="inbound", started_at=T0, caller_number="13800138000",
                     caller_name=None, dnid="95598", trunk="PJSIP/fxo-gw-00000001")  # fmt: skip


async def stored(engine: AsyncEngine, uid: str) -> bool:
    return await fetch_call(engine, uid) is not None


async def test_without_a_window_a_lone_call_start_is_committed_at_once(engine):
    sleep = HeldSleep()  # never released: a writer that lingered would never commit
    rec = CallRecorder(engine, linger_s=0, sleep=sleep)  # the busy window: records trickle in
    rec.start()
    start(rec, "lone.1")  # no flush(): a waiting flush skips the window anyway
    await until(lambda: stored(engine, "lone.1"), DEADLINE_S, "the lone call start committed")
    assert sleep.asked == [] and rec.backlog == 0
    await rec.close()


async def test_with_a_window_the_lone_call_start_waits_it_out(engine):
    sleep = HeldSleep()
    rec = CallRecorder(engine, linger_s=0.25, sleep=sleep)
    rec.start()
    start(rec, "lone.2")
    await until(lambda: sleep.asked == [0.25], DEADLINE_S, "the writer lingering")
    assert not await stored(engine, "lone.2") and rec.backlog == 1
    start(rec, "joins.2")  # arrives during the window: same transaction
    sleep.released.set()
    await until(lambda: rec.backlog == 0, DEADLINE_S, "the batch committed")
    assert await stored(engine, "lone.2") and await stored(engine, "joins.2")
    await rec.close()


async def test_without_a_window_what_is_queued_together_is_one_transaction(engine):
    rec = CallRecorder(engine, linger_s=0, sleep=HeldSleep())
    commits = transactions(rec)
    rec.start()
    start(rec, "pair.1")
    rec.event("pair.1", T0 + timedelta(seconds=3), "ivr_step", {"node": "main", "key": "2"})
    rec.call_ended("pair.1", ended_at=T0 + timedelta(seconds=9), outcome="ivr_only")
    await until(lambda: rec.backlog == 0, DEADLINE_S, "the three items committed")
    assert commits == [3]
    assert [e.kind for e in await fetch_events(engine, "pair.1")] == ["ivr_step"]
    start(rec, "later.1")  # the writer is idle again: the next lone item is its own transaction
    await until(lambda: stored(engine, "later.1"), DEADLINE_S, "the next call start committed")
    assert commits == [3, 1]
    await rec.close()


@pytest.mark.parametrize("linger_s", [-0.001, 1.001, math.nan, math.inf])
async def test_a_window_out_of_bounds_is_refused(engine, linger_s):
    with pytest.raises(ValueError, match=r"linger_s must be between 0 and 1.0 seconds"):
        CallRecorder(engine, linger_s=linger_s)


@pytest.mark.parametrize("busy_window_s", [-0.001, 1.001, math.nan])
async def test_a_busy_window_out_of_bounds_is_refused(engine, busy_window_s):
    with pytest.raises(ValueError, match=r"busy_window_s must be between 0 and 1.0 seconds"):
        CallRecorder(engine, busy_window_s=busy_window_s)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_under_load_a_lone_item_waits_the_busy_window_and_alone_it_does_not(engine):
    sleep, clock = HeldSleep(), Clock()
    rec = CallRecorder(engine, linger_s=0, busy_window_s=0.02, sleep=sleep, clock=clock)
    rec.start()
    start(rec, "quiet.1")  # the first record, after nothing: committed at once
    await until(lambda: stored(engine, "quiet.1"), DEADLINE_S, "the quiet call start committed")
    sent = 0
    while not sleep.asked and sent < 40:  # 100 records a second: load, once the average shows it
        clock.now += 0.01
        rec.event("quiet.1", T0 + timedelta(seconds=sent), "ivr_step", {"node": "main", "key": "1"})
        sent += 1
        await until(lambda: rec.backlog == 0 or sleep.asked, DEADLINE_S, "committed or waiting")
    assert sleep.asked == [0.02] and rec.backlog == 1
    assert sent == 5  # not the first few records of a burst: the fifth at this rate (50 ms)
    clock.now += 0.01
    start(rec, "joins.3")  # joins the waiting batch
    sleep.released.set()
    await until(lambda: rec.backlog == 0, DEADLINE_S, "the batch committed")
    sleep.released.clear()
    clock.now += 0.25  # 250 ms without a record: not busy any more
    start(rec, "quiet.2")
    await until(lambda: stored(engine, "quiet.2"), DEADLINE_S, "the call start after a pause committed")
    assert sleep.asked == [0.02] and await stored(engine, "joins.3")
    await rec.close()


async def make_busy(rec: CallRecorder, clock: Clock, sleep: HeldSleep) -> None:
    """Records at 100 a second until the writer waits the busy window (released again after)."""
    sent = 0
    while not sleep.asked and sent < 40:
        clock.now += 0.01
        rec.event("busy.1", T0 + timedelta(seconds=sent), "ivr_step", {"node": "main", "key": "1"})
        sent += 1
        await until(lambda: rec.backlog == 0 or sleep.asked, DEADLINE_S, "committed or waiting")
    assert sleep.asked, "the records never counted as load"
    sleep.released.set()
    await until(lambda: rec.backlog == 0, DEADLINE_S, "the batch committed")
    sleep.released.clear()


async def test_under_load_items_that_arrive_together_wait_the_busy_window_too(engine):
    """A call's records often come in pairs (a menu step and its call event): under load the
    writer waits for more to join them, or each pair would be its own transaction."""
    sleep, clock = HeldSleep(), Clock()
    rec = CallRecorder(engine, linger_s=0, busy_window_s=0.02, sleep=sleep, clock=clock)
    commits = transactions(rec)
    rec.start()
    start(rec, "busy.1")
    await until(lambda: stored(engine, "busy.1"), DEADLINE_S, "the first call start committed")
    await make_busy(rec, clock, sleep)
    asked, before = len(sleep.asked), len(commits)
    clock.now += 0.01
    start(rec, "pair.2")  # two items in one go, the writer idle
    rec.event("pair.2", T0, "ivr_step", {"node": "main", "key": "2"})
    await until(lambda: len(sleep.asked) > asked or rec.backlog == 0, DEADLINE_S, "waiting or committed")
    assert len(sleep.asked) == asked + 1 and rec.backlog == 2  # waiting, not committed
    start(rec, "joins.4")  # joins them
    sleep.released.set()
    await until(lambda: rec.backlog == 0, DEADLINE_S, "the batch committed")
    assert commits[before:] == [3] and await stored(engine, "joins.4")
    await rec.close()


@pytest.mark.parametrize(
    ("linger_ms", "busy_ms", "linger_s", "busy_s"),
    [(None, None, 0.0, 0.25), (0, 0, 0.0, 0.0), (300, 5, 0.3, 0.005), (1000, 1000, 1.0, 1.0)],
)
async def test_the_daemon_builds_its_recorder_with_the_configured_windows(
    db_url, tmp_path: Path, linger_ms, busy_ms, linger_s, busy_s
):
    windows = {"commit_linger_ms": linger_ms, "commit_busy_window_ms": busy_ms}
    database = {"url": db_url} | {k: v for k, v in windows.items() if v is not None}
    settings = daemon_settings(db_url, tmp_path, database=database)
    engine, rec = await open_store(settings)
    try:
        assert (rec.window.linger_s, rec.window.busy_window_s) == (linger_s, busy_s)
    finally:
        await rec.close()
        await engine.dispose()
