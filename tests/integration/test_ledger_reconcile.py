"""reconcile_ledger on SQLite and PostgreSQL: the calls the fallback dialplan took while the daemon
was down get their one row, orphans it took over become `fallback`, and a second run changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.store.ledger import (
    BUSY_REASON,
    FALLBACK_REASON,
    TAKEN_OVER,
    LedgerError,
    LedgerSummary,
    reconcile_ledger,
)
from hotline.store.models import Call
from hotline.store.queries import fetch_call, fetch_calls

T0 = 1_795_000_000.0
NOW = datetime.fromtimestamp(T0 + 3600, UTC)
AGENTS = {"1001": "001", "1002": "002"}
ORPHAN = "daemon stopped before the call ended"


def utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def line(
    uid: str,
    dcontext: str,
    lastapp: str,
    disposition: str,
    start: float,
    answer: float,
    end: float,
    *,
    dst: str = "",
    src: str = "13800000001",
) -> str:
    texts = (uid, uid, "PJSIP/trunk-00000001", dst, src, dcontext, lastapp, disposition)
    quoted = ",".join('"' + v.replace('"', '""') + '"' for v in texts)
    return f"{quoted},{start:.6f},{answer:.6f},{end:.6f}\n"


LEDGER = "".join(
    [
        # f1: daemon down, the fallback rang 1001 (no answer) and 1002 (answered 8 s in, talked 60 s)
        line(
            "f1",
            "hotline-fallback",
            "Dial",
            "NO ANSWER",
            T0,
            T0 + 1,
            T0 + 9,
            dst="PJSIP/1001-00000001",
            src='"Li, Wei" 138',
        ),
        line(
            "f1",
            "hotline-fallback",
            "Dial",
            "ANSWERED",
            T0 + 2,
            T0 + 2,
            T0 + 69,
            dst="PJSIP/1002-00000002",
            src='"Li, Wei" 138',
        ),
        line(
            "f1", "hotline-fallback", "Playback", "ANSWERED", T0 + 69, T0 + 69, T0 + 71, src='"Li, Wei" 138'
        ),
        # f2: the fallback rang, nobody answered, the caller hung up
        line(
            "f2",
            "hotline-fallback",
            "Dial",
            "NO ANSWER",
            T0 + 10,
            T0 + 11,
            T0 + 23,
            dst="PJSIP/1001-00000003",
        ),
        # b1: the fallback refused it busy
        line("b1", "hotline-fallback", "Busy", "BUSY", T0 + 20, 0, T0 + 25),
        # x1: never reached the fallback, no row: a daemon handled it (another store's, or lost): not inserted
        line("x1", "from-trunk", "AGI", "ANSWERED", T0 + 30, T0 + 30, T0 + 90),
        # d1: a call the daemon handled and recorded: untouched
        line("d1", "from-trunk", "Dial", "ANSWERED", T0 + 40, T0 + 40, T0 + 100, dst="PJSIP/1001-00000004"),
        # o1: the daemon died mid-call (orphan), the fallback took over and 1001 answered
        line("o1", "hotline-inbound", "AGI", "ANSWERED", T0 + 50, T0 + 50, T0 + 80),
        line(
            "o1",
            "hotline-fallback",
            "Dial",
            "ANSWERED",
            T0 + 80,
            T0 + 80,
            T0 + 200,
            dst="PJSIP/1001-00000005",
        ),
        # o2: an orphan the ACD had connected (agent_answered): stays as it is
        line("o2", "hotline-fallback", "Playback", "ANSWERED", T0 + 60, T0 + 60, T0 + 65),
        # o3: an orphan that did not go on in the fallback: stays failed
        line("o3", "hotline-inbound", "AGI", "ANSWERED", T0 + 60, T0 + 60, T0 + 70),
        # not inbound calls
        line("dialer-j9-1", "hotline-dialer", "AGI", "ANSWERED", T0, T0 + 1, T0 + 20),
        line("a1", "agents", "Dial", "ANSWERED", T0, T0 + 1, T0 + 20, dst="PJSIP/1002-00000006"),
        # too old for the lookback (ended 8 days before NOW)
        line(
            "old",
            "hotline-fallback",
            "Dial",
            "NO ANSWER",
            T0 - 8 * 86400,
            T0 - 8 * 86400,
            T0 - 8 * 86400 + 9,
            dst="PJSIP/1001-00000007",
        ),
        "not a cdr line\n",
    ]
)


def row(uid: str, start: float, outcome: str, reason: str | None = None, **fields) -> dict:
    defaults = {
        "ivr_path": [],
        "business_category": None,
        "queued_at": None,
        "agent_id": None,
        "talk_s": None,
    }
    return {
        "uniqueid": uid,
        "direction": "inbound",
        "started_at": utc(start),
        "ended_at": NOW,
        "outcome": outcome,
        "failure_reason": reason,
        **defaults,
        **fields,
    }


ROWS = [
    row("d1", T0 + 40, "agent_answered", agent_id="001", talk_s=58.0),
    row(
        "o1",
        T0 + 50,
        "failed",
        ORPHAN,
        ivr_path=[{"node": "main", "key": "0"}],
        business_category="fault_repair",
        queued_at=utc(T0 + 60),
    ),
    row("o2", T0 + 60, "agent_answered", f"{ORPHAN} while agent 001 was talking", agent_id="001"),
    row("o3", T0 + 60, "failed", ORPHAN),
]


@pytest.fixture
async def engine(engine: AsyncEngine) -> AsyncEngine:
    """The shared migrated store (tests/conftest.py) holding ROWS."""
    async with engine.begin() as conn:
        await conn.execute(insert(Call), ROWS)
    return engine


def snapshot(calls: list[Call]) -> list[dict]:
    return [{k: v for k, v in vars(c).items() if not k.startswith("_")} for c in calls]


async def test_fallback_calls_get_their_row_and_orphans_it_took_over_become_fallback(engine, tmp_path):
    path = tmp_path / "hotline-cdr.csv"
    path.write_text(LEDGER, encoding="utf-8")
    summary = await reconcile_ledger(engine, path, NOW, AGENTS)
    assert summary == LedgerSummary(calls=8, inserted=3, updated=1, bad_lines=1, not_in_store=1)

    f1 = await fetch_call(engine, "f1")
    assert (f1.direction, f1.outcome, f1.failure_reason, f1.caller_number) == (
        "inbound",
        "fallback",
        FALLBACK_REASON,
        '"Li, Wei" 138',
    )
    assert (f1.started_at, f1.answered_at, f1.ended_at) == (utc(T0), utc(T0 + 1), utc(T0 + 71))
    assert (f1.agent_id, f1.agent_extension, f1.talk_started_at, f1.talk_s) == (
        "002",
        "1002",
        utc(T0 + 9),
        60.0,
    )
    assert (f1.trunk, f1.linkedid, f1.ivr_path, f1.queued_at) == ("PJSIP/trunk-00000001", "f1", [], None)
    f2 = await fetch_call(engine, "f2")
    assert (f2.outcome, f2.agent_id, f2.talk_s, f2.ended_at) == ("fallback", None, None, utc(T0 + 23))
    b1 = await fetch_call(engine, "b1")
    assert (b1.outcome, b1.failure_reason, b1.answered_at) == ("blocked", BUSY_REASON, None)
    assert await fetch_call(engine, "x1") is None

    o1 = await fetch_call(engine, "o1")
    assert (o1.outcome, o1.failure_reason, o1.ended_at) == ("fallback", ORPHAN + TAKEN_OVER, utc(T0 + 200))
    assert (o1.agent_id, o1.agent_extension, o1.talk_started_at, o1.talk_s) == (
        "001",
        "1001",
        utc(T0 + 80),
        120.0,
    )
    assert (o1.ivr_path, o1.business_category, o1.queued_at) == (
        [{"node": "main", "key": "0"}],
        "fault_repair",
        utc(T0 + 60),
    )
    untouched = {c.uniqueid: c for c in await fetch_calls(engine)}
    for r in ROWS[0], ROWS[2], ROWS[3]:
        c = untouched[r["uniqueid"]]
        assert (c.outcome, c.failure_reason, c.ended_at, c.agent_id) == (
            r["outcome"],
            r["failure_reason"],
            NOW,
            r.get("agent_id"),
        ), r["uniqueid"]
    assert not {"dialer-j9-1", "a1", "old"} & set(untouched)


async def test_a_second_run_changes_nothing(engine, tmp_path):
    path = tmp_path / "hotline-cdr.csv"
    path.write_text(LEDGER, encoding="utf-8")
    await reconcile_ledger(engine, path, NOW, AGENTS)
    before = snapshot(await fetch_calls(engine))
    again = await reconcile_ledger(engine, path, NOW + timedelta(minutes=5), AGENTS)
    assert (again.inserted, again.updated) == (0, 0)
    assert snapshot(await fetch_calls(engine)) == before
    assert len(before) == len(ROWS) + 3


async def test_a_call_ending_after_the_first_run_is_found_by_the_next(engine, tmp_path):
    path = tmp_path / "hotline-cdr.csv"
    path.write_text(LEDGER, encoding="utf-8")
    await reconcile_ledger(engine, path, NOW, AGENTS)
    with path.open("a", encoding="utf-8") as f:
        f.write(
            line(
                "late",
                "hotline-fallback",
                "Dial",
                "NO ANSWER",
                T0 + 3000,
                T0 + 3001,
                T0 + 3030,
                dst="PJSIP/1001-00000008",
            )
        )
    summary = await reconcile_ledger(engine, path, NOW, AGENTS)
    assert (summary.inserted, summary.updated) == (1, 0)
    assert (await fetch_call(engine, "late")).outcome == "fallback"


async def test_no_ledger_yet_is_nothing_to_do_and_an_unreadable_one_is_a_clear_error(engine, tmp_path):
    assert await reconcile_ledger(engine, tmp_path / "none.csv", NOW) == LedgerSummary(0, 0, 0, 0, 0)
    with pytest.raises(LedgerError, match="cannot read the CDR ledger"):
        await reconcile_ledger(engine, tmp_path, NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        await reconcile_ledger(engine, tmp_path / "none.csv", NOW.replace(tzinfo=None))
    assert len(await fetch_calls(engine)) == len(ROWS)
