"""CallRecorder against real databases: a fresh SQLite file and a throwaway PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs

from hotline.store import ORPHAN_REASON, Call, CallRecorder, fetch_call, fetch_calls, fetch_events

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
async def recorder(engine: AsyncEngine) -> AsyncIterator[CallRecorder]:
    rec = CallRecorder(engine)
    rec.start()
    yield rec
    await rec.close()


def start(rec: CallRecorder, uid: str, *, number: str = "13800138000", at: datetime = T0) -> None:
    rec.call_started(uid, direction="inbound", started_at=at, caller_number=number,
                     caller_name="张三", dnid="95598", trunk="PJSIP/fxo-gw-00000001")  # fmt: skip


async def count_calls(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(select(func.count()).select_from(Call))


async def test_started_then_ended_is_one_row_with_the_fields(engine, recorder):
    start(recorder, "1714550400.1")
    recorder.call_ended("1714550400.1", ended_at=T0 + timedelta(seconds=95), outcome="agent_answered",
                        agent_id="1001", agent_extension="8001", talk_s=61.5, agents_rung=2,
                        ivr_path=["welcome", "menu:1", "queue"], business_category="outage")  # fmt: skip
    await recorder.flush()
    [call] = await fetch_calls(engine)
    assert (call.uniqueid, call.direction, call.dnid, call.caller_name) == (
        "1714550400.1",
        "inbound",
        "95598",
        "张三",
    )
    assert (call.outcome, call.agent_id, call.agent_extension) == ("agent_answered", "1001", "8001")
    assert (call.talk_s, call.agents_rung, call.priority) == (61.5, 2, 0)
    assert call.ivr_path == ["welcome", "menu:1", "queue"]
    assert call.ended_at == T0 + timedelta(seconds=95)
    assert call.failure_reason is None


async def test_end_in_the_same_batch_as_the_start(engine):
    rec = CallRecorder(engine)  # enqueue before the writer runs: both land in one batch
    start(rec, "same.1")
    rec.call_ended("same.1", ended_at=T0, outcome="ivr_only")
    rec.start()
    await rec.close()
    [call] = await fetch_calls(engine)
    assert (call.uniqueid, call.outcome, call.ivr_path) == ("same.1", "ivr_only", [])


@pytest.mark.parametrize("number", ["evil\nEXEC System ls", 'quo"te', "it's; DROP TABLE calls;--"])
async def test_caller_number_is_stored_verbatim(engine, recorder, number):
    start(recorder, "verbatim.1", number=number)
    await recorder.flush()
    call = await fetch_call(engine, "verbatim.1")
    assert call is not None and call.caller_number == number


async def test_ended_call_cannot_be_ended_twice(engine, recorder):
    start(recorder, "twice.1")
    recorder.call_ended("twice.1", ended_at=T0 + timedelta(seconds=10), outcome="ivr_only")
    with pytest.raises(ValueError, match="already ended"):
        recorder.call_ended("twice.1", ended_at=T0 + timedelta(seconds=20), outcome="failed")
    await recorder.flush()
    other = CallRecorder(engine)  # another process knows nothing: the database refuses it
    other.start()
    with capture_logs() as logs:
        other.call_ended("twice.1", ended_at=T0 + timedelta(seconds=30), outcome="abandoned_queue")
        await other.close()
    assert [e["event"] for e in logs] == ["store.call_end_ignored"]
    assert "already ended with outcome 'ivr_only'" in logs[0]["reason"]
    call = await fetch_call(engine, "twice.1")
    assert (call.outcome, call.ended_at) == ("ivr_only", T0 + timedelta(seconds=10))


async def test_a_call_row_is_inserted_once(engine, recorder):
    start(recorder, "once.1")
    with pytest.raises(ValueError, match="already started"):
        start(recorder, "once.1")
    await recorder.flush()
    other = CallRecorder(engine)
    other.start()
    with capture_logs() as logs:
        start(other, "once.1", number="other")
        await other.close()
    assert [e["event"] for e in logs] == ["store.duplicate_call_start"]
    assert [c.caller_number for c in await fetch_calls(engine)] == ["13800138000"]


async def test_events_are_written_in_order(engine, recorder):
    kinds = [f"step{i}" for i in range(30)]
    for i, kind in enumerate(kinds):
        recorder.event("ev.1", T0, kind, {"i": i, "text": "按1报修"})
        if i == 10:
            await recorder.flush()  # spread over several batches
    recorder.event("ev.2", T0, "other", {})
    await recorder.flush()
    events = await fetch_events(engine, "ev.1")
    assert [e.kind for e in events] == kinds
    assert events[3].data == {"i": 3, "text": "按1报修"}
    assert events[0].at == T0


async def test_recover_orphans_marks_in_progress_calls_failed(engine, recorder):
    start(recorder, "orphan.1")
    start(recorder, "orphan.2")
    start(recorder, "done.1")
    recorder.call_ended("done.1", ended_at=T0, outcome="ivr_only")
    await recorder.flush()
    now = T0 + timedelta(hours=1)
    assert await recorder.recover_orphans(now) == 2
    calls = {c.uniqueid: c for c in await fetch_calls(engine)}
    for uid in ("orphan.1", "orphan.2"):
        assert (calls[uid].outcome, calls[uid].failure_reason, calls[uid].ended_at) == (
            "failed",
            ORPHAN_REASON,
            now,
        )
    assert (calls["done.1"].outcome, calls["done.1"].failure_reason) == ("ivr_only", None)
    assert await recorder.recover_orphans(now) == 0


async def test_call_blocked_writes_one_ended_row(engine, recorder):
    recorder.call_blocked("blk.1", direction="inbound", started_at=T0, caller_number="4001234567",
                          caller_name=None, dnid="95598", trunk="PJSIP/fxo-gw-00000002")  # fmt: skip
    await recorder.flush()
    [call] = await fetch_calls(engine)
    assert (call.uniqueid, call.outcome, call.started_at, call.ended_at) == ("blk.1", "blocked", T0, T0)
    with pytest.raises(ValueError, match="already ended"):
        recorder.call_ended("blk.1", ended_at=T0, outcome="failed")


async def test_close_writes_everything_queued(engine):
    rec = CallRecorder(engine)
    rec.start()
    for i in range(500):
        start(rec, f"bulk.{i}", at=T0 + timedelta(seconds=i))
        rec.call_ended(f"bulk.{i}", ended_at=T0 + timedelta(seconds=i + 30), outcome="ivr_only")
    await rec.close()
    assert await count_calls(engine) == 500
    calls = await fetch_calls(engine, since=T0 + timedelta(seconds=400))
    assert [c.uniqueid for c in calls] == [f"bulk.{i}" for i in range(400, 500)]
    assert all(c.outcome == "ivr_only" for c in calls)
    with pytest.raises(RuntimeError, match="closed"):
        start(rec, "late.1")


async def test_timestamps_come_back_aware_utc(engine, recorder):
    local = datetime(2024, 5, 1, 16, 0, 0, 123456, tzinfo=BEIJING)  # == T0 + 123456 µs
    start(recorder, "tz.1", at=local)
    recorder.call_ended("tz.1", ended_at=local + timedelta(minutes=2), outcome="abandoned_queue",
                        queued_at=local + timedelta(seconds=20))  # fmt: skip
    recorder.event("tz.1", local, "menu", {"key": "1"})
    await recorder.flush()
    call = await fetch_call(engine, "tz.1")
    [event] = await fetch_events(engine, "tz.1")
    for value in (call.started_at, call.ended_at, call.queued_at, event.at):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert call.started_at == T0 + timedelta(microseconds=123456)
    assert call.queued_at - call.started_at == timedelta(seconds=20)


async def test_unknown_outcome_raises_and_changes_nothing(engine, recorder):
    start(recorder, "bad.1")
    await recorder.flush()
    with pytest.raises(ValueError, match="outcome must be one of"):
        recorder.call_ended("bad.1", ended_at=T0, outcome="hung_up")
    with pytest.raises(ValueError, match="unknown field 'agent'"):
        recorder.call_ended("bad.1", ended_at=T0, outcome="ivr_only", agent="1001")
    await recorder.flush()
    assert (await fetch_call(engine, "bad.1")).outcome is None
    recorder.call_ended("bad.1", ended_at=T0, outcome="message_left", message_path="msg/bad.1.wav")
    await recorder.flush()
    assert (await fetch_call(engine, "bad.1")).outcome == "message_left"


NAIVE = datetime(2024, 5, 1, 8, 0, 0)
START_ARGS = dict(
    direction="inbound", started_at=T0, caller_number="1", caller_name=None, dnid=None, trunk=None
)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda r, u: r.call_started(u, **{**START_ARGS, "started_at": NAIVE}), ValueError, "timezone-aware"),
        (lambda r, u: r.call_started(u, **{**START_ARGS, "caller_number": 138}), TypeError, "must be a str"),
        (
            lambda r, u: r.call_started(u, **{**START_ARGS, "direction": "sideways"}),
            ValueError,
            "must be one of",
        ),
        (lambda r, u: r.call_started("x" * 65, **START_ARGS), ValueError, "at most 64"),
        (lambda r, u: r.call_blocked(u, **START_ARGS, failure_reason=5), TypeError, "must be a str"),
        (lambda r, u: r.call_blocked(u, **START_ARGS, agent="1001"), ValueError, "unknown field 'agent'"),
        (lambda r, u: r.call_ended(u, ended_at=NAIVE, outcome="ivr_only"), ValueError, "timezone-aware"),
        (lambda r, u: r.call_ended(u, ended_at=T0, outcome=None), ValueError, "outcome is required"),
        (
            lambda r, u: r.call_ended(u, ended_at=T0, outcome="ivr_only", talk_s="61"),
            TypeError,
            "int or float",
        ),
        (lambda r, u: r.event(u, T0, "menu", ["not", "a", "dict"]), TypeError, "must be a dict"),
        (lambda r, u: r.event(u, T0, "menu", {"f": object()}), ValueError, "not JSON-serialisable"),
        (lambda r, u: r.event(u, T0, "k" * 41, {}), ValueError, "at most 40"),
    ],
)
async def test_bad_input_raises_at_the_call_site_and_changes_nothing(engine, recorder, call, error, message):
    with pytest.raises(error, match=message):
        call(recorder, "bad.in")
    await recorder.flush()
    assert await count_calls(engine) == 0 and await fetch_events(engine, "bad.in") == []
    start(recorder, "bad.in")  # the refused call was not remembered either
    recorder.call_ended("bad.in", ended_at=T0, outcome="ivr_only")
    await recorder.flush()
    assert [(c.uniqueid, c.outcome) for c in await fetch_calls(engine)] == [("bad.in", "ivr_only")]
