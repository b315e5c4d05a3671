"""write_batch: optimistic (no reads, SQLite), the same in one hand-off to SQLite's driver thread
(commit_steps) and careful (reads first) writes agree; rows equal what SQLAlchemy Core writes;
calls overlapping batches end up as one row each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs

from hotline.store import Call, CallEvent, CallRecorder, fetch_calls, fetch_events
from hotline.store.batch import Conflict, End, Event, Rejected, Start, optimistic_steps, write_batch
from hotline.store.sqlite_steps import commit_steps
from hotline.store.validate import check_values

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))
CALLS = Call.__table__
START = dict(
    direction="inbound",
    started_at=T0,
    caller_number="13800138000",
    caller_name="李四",
    dnid="95598",
    trunk="PJSIP/fxo-gw-00000001",
    linkedid=None,
)
END = dict(
    ended_at=datetime(2024, 5, 1, 16, 3, 0, 250, tzinfo=BEIJING),
    outcome="agent_answered",
    answered_at=T0 + timedelta(seconds=9),
    ivr_path=["welcome", {"menu": "1", "说明": "停电"}],
    menu_version="3:ab12cd",
    business_category="outage",
    agents_rung=2,
    ring_time_s=4.25,
    agent_id="1001",
    agent_extension="8001",
    talk_s=61,
    survey_score=5,
    priority=1,
)


def start(uid: str, **fields) -> Start:
    return Start(check_values(CALLS, {"uniqueid": uid, **START, **fields}))


def end(uid: str, outcome: str = "ivr_only", **fields) -> End:
    return End(uid, check_values(CALLS, {"ended_at": T0, "outcome": outcome, **fields}))


def event(uid: str, i: int) -> Event:
    return Event(
        check_values(CallEvent.__table__, {"call_uniqueid": uid, "at": T0, "kind": "menu", "data": {"i": i}})
    )


async def write(engine: AsyncEngine, items, *, mode: str = "careful"):
    if mode == "one hand-off":
        async with engine.connect() as conn:
            steps, rejected = optimistic_steps(conn.dialect, items)
            await commit_steps(conn, steps)
            return rejected
    async with engine.begin() as conn:
        return await write_batch(conn, items, optimistic=mode == "optimistic")


def modes(engine: AsyncEngine) -> list[str]:
    """The writes this database takes: optimistic needs row counts, one hand-off aiosqlite."""
    counted = ["optimistic"] if engine.dialect.supports_sane_multi_rowcount else []
    return ["careful", *counted, *(["one hand-off"] if engine.dialect.driver == "aiosqlite" else [])]


async def stored(engine: AsyncEngine) -> tuple[dict, list]:
    async with engine.connect() as conn:
        calls = {
            r.uniqueid: r._asdict() for r in (await conn.execute(select(*CALLS.c).order_by(Call.id))).all()
        }
        events = (
            await conn.execute(select(CallEvent.call_uniqueid, CallEvent.data).order_by(CallEvent.id))
        ).all()
    for row in calls.values():
        del row["id"]
    return calls, [tuple(e) for e in events]


async def test_optimistic_and_careful_writes_give_the_same_rows(db_url, engine):
    results = []
    for mode in modes(engine):
        await write(engine, [start("o.1"), start("o.2"), event("o.1", 1)], mode=mode)
        items = [
            start("o.3"),
            end("o.3"),
            event("o.1", 2),
            end("o.1", "agent_answered", talk_s=3.5),
            end("o.2", failure_reason="x"),
            start("o.4", outcome="blocked", ended_at=T0),
            end("o.2", "failed"),
            end("o.3", "failed"),
        ]
        assert await write(engine, items, mode=mode) == [
            Rejected(
                "store.call_already_ended",
                "o.3",
                "the call already ended with outcome 'ivr_only'; the first end is kept",
            ),
            Rejected(
                "store.call_end_ignored", "o.2", "a second end in the same batch; the first end is kept"
            ),
        ]
        results.append(await stored(engine))
        async with engine.begin() as conn:
            await conn.execute(CALLS.delete())
            await conn.execute(CallEvent.__table__.delete())
    assert all(r == results[0] for r in results)
    calls, events = results[0]
    assert {u: c["outcome"] for u, c in calls.items()} == {
        "o.1": "agent_answered",
        "o.2": "ivr_only",
        "o.3": "ivr_only",
        "o.4": "blocked",
    }
    assert (calls["o.1"]["talk_s"], calls["o.2"]["failure_reason"]) == (3.5, "x")
    assert events == [("o.1", {"i": 1}), ("o.1", {"i": 2})]


@pytest.mark.parametrize("mode", ["optimistic", "one hand-off"])
@pytest.mark.parametrize("surprise", ["existing start", "unknown end", "ended end"])
async def test_an_optimistic_write_that_meets_the_unexpected_raises_and_writes_nothing(
    db_url, engine, surprise, mode
):
    if mode not in modes(engine):
        if mode == "optimistic":
            with pytest.raises(ValueError, match="does not count rows"):
                await write(engine, [start("s.1")], mode=mode)
        return
    await write(engine, [start("old.open"), start("old.ended"), end("old.ended")])
    before = await stored(engine)
    odd = {"existing start": start("old.open"), "unknown end": end("nobody"), "ended end": end("old.ended")}[
        surprise
    ]
    with pytest.raises(Conflict, match=r"\d+ of \d+ rows changed"):
        await write(
            engine, [start("new.1"), event("new.1", 1), end("old.open"), odd, start("new.2")], mode=mode
        )
    assert await stored(engine) == before


async def test_in_one_hand_off_a_refused_statement_raises_as_sqlalchemy_does_and_keeps_nothing(engine):
    if engine.dialect.driver != "aiosqlite":
        pytest.skip("one hand-off is SQLite's")
    refused = Start({**start("r.bad").values, "direction": "sideways"})  # the CHECK constraint
    async with engine.connect() as conn:
        steps, _ = optimistic_steps(conn.dialect, [start("r.1"), event("r.1", 1), refused])
        with pytest.raises(IntegrityError, match="CHECK constraint failed"):
            await commit_steps(conn, steps)
        steps, _ = optimistic_steps(conn.dialect, [start("r.2")])
        await commit_steps(conn, steps)  # the same connection writes on, its failed batch rolled back
    calls, events = await stored(engine)
    assert (list(calls), events) == (["r.2"], [])


async def test_one_batch_mixing_duplicates_unknown_and_repeated_ends(db_url, engine):
    """Through the recorder (optimistic first where possible): the same rejections everywhere."""
    await write(engine, [start("m.open"), start("m.ended"), end("m.ended", "ivr_only")])
    other = CallRecorder(engine)  # a second process: it knows none of the stored calls
    for uid in ("m.open", "m.new"):
        other.call_started(uid, **START)
    other.call_ended("m.new", ended_at=T0, outcome="abandoned_queue")
    other.call_ended("m.open", ended_at=T0, outcome="message_left")
    other.call_ended("m.ended", ended_at=T0, outcome="failed")
    other.call_ended("m.unknown", ended_at=T0, outcome="failed")
    other.event("m.new", T0, "menu", {"key": "1"})
    with capture_logs() as logs:
        other.start()  # everything above is one batch
        await other.close()
    assert [(e["event"], e["uniqueid"]) for e in logs] == [
        ("store.duplicate_call_start", "m.open"),
        ("store.call_end_ignored", "m.ended"),
        ("store.call_end_ignored", "m.unknown"),
    ]
    assert "already ended with outcome 'ivr_only'" in logs[1]["reason"]
    assert logs[2]["reason"] == "no call with this uniqueid was ever started"
    calls = {c.uniqueid: c for c in await fetch_calls(engine)}
    assert {u: c.outcome for u, c in calls.items()} == {
        "m.open": "message_left",
        "m.ended": "ivr_only",
        "m.new": "abandoned_queue",
    }
    assert calls["m.open"].caller_name == "李四"
    assert [e.data for e in await fetch_events(engine, "m.new")] == [{"key": "1"}]


async def test_recorded_rows_equal_rows_written_through_sqlalchemy_core(db_url, engine):
    rec = CallRecorder(engine)
    rec.start()
    rec.call_started("eq.rec", **START)
    rec.call_started("eq.rec.bare", **START)  # never ended: defaults of the columns not given
    await rec.flush()
    rec.call_ended("eq.rec", **END)
    rec.call_blocked("eq.rec.blk", **START, failure_reason="blacklist")
    rec.event("eq.rec", END["ended_at"], "menu", {"key": "1", "按": [1, 2.5, None]})
    await rec.close()
    async with engine.begin() as conn:
        await conn.execute(insert(Call).values(uniqueid="eq.core", **START))
        await conn.execute(insert(Call).values(uniqueid="eq.core.bare", **START))
        await conn.execute(update(Call).where(Call.uniqueid == "eq.core").values(**END))
        await conn.execute(
            insert(Call).values(
                uniqueid="eq.core.blk", **START, failure_reason="blacklist", ended_at=T0, outcome="blocked"
            )
        )
        await conn.execute(
            insert(CallEvent).values(
                call_uniqueid="eq.core",
                at=END["ended_at"],
                kind="menu",
                data={"key": "1", "按": [1, 2.5, None]},
            )
        )
        raw = {r[1]: r[2:] for r in (await conn.exec_driver_sql("SELECT * FROM calls")).all()}  # as stored
        raw_events = [
            r[1:] for r in (await conn.exec_driver_sql("SELECT * FROM call_events ORDER BY id")).all()
        ]
    for suffix in ("", ".bare", ".blk"):
        assert raw[f"eq.rec{suffix}"] == raw[f"eq.core{suffix}"]
    assert raw_events[0][1:] == raw_events[1][1:]


async def test_overlapping_calls_are_one_row_each_with_their_end(db_url, engine):
    rec = CallRecorder(engine)
    rec.start()
    n, lag = 600, 150
    for i in range(n + lag):
        if i < n:
            rec.call_started(f"ov.{i}", **{**START, "started_at": T0 + timedelta(seconds=i)})
            rec.event(f"ov.{i}", T0, "menu", {"i": i})
        if i >= lag:
            rec.call_ended(f"ov.{i - lag}", **{**END, "agent_id": f"{(i - lag) % 30:03d}"})
        if i % 97 == 0:
            await rec.flush()  # batch boundaries fall between a call's start and its end
    await rec.close()
    calls = await fetch_calls(engine)
    assert [c.uniqueid for c in calls] == [f"ov.{i}" for i in range(n)]
    assert all((c.outcome, c.talk_s, c.ivr_path) == ("agent_answered", 61.0, END["ivr_path"]) for c in calls)
    assert [c.agent_id for c in calls[:3]] == ["000", "001", "002"]
    async with engine.connect() as conn:
        data = (await conn.scalars(select(CallEvent.data).order_by(CallEvent.id))).all()
        assert await conn.scalar(select(func.count()).select_from(Call)) == n
    assert [d["i"] for d in data] == list(range(n))


async def test_one_hand_off_on_a_connection_that_was_invalidated_reconnects_and_writes(db_url, engine):
    if engine.dialect.driver != "aiosqlite":
        pytest.skip("the one hand-off is SQLite's")
    async with engine.connect() as conn:
        steps, _ = optimistic_steps(conn.dialect, [start("inv.1")])
        await commit_steps(conn, steps)
        await conn.invalidate()  # its driver connection is closed: the next use must take a new one
        steps, _ = optimistic_steps(conn.dialect, [start("inv.2")])
        await commit_steps(conn, steps)
    assert [c.uniqueid for c in await fetch_calls(engine)] == ["inv.1", "inv.2"]
