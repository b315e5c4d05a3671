"""The line keeps answering without the daemon; the daemon's store works on PostgreSQL too."""

from __future__ import annotations

import pytest
from daemon_proc import DaemonProc
from e2e_setup import rows_for, write_config
from polling import until

from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls, fetch_events
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.sipp import call, start_call

pytestmark = pytest.mark.e2e


async def test_daemon_down_callers_still_reach_an_agent(hotline_lab, daemon):
    asterisk, _ = hotline_lab
    daemon.stop()
    try:
        async with AgentPhone("1002", "pw1002-e2e", answer_after=1.0, talk_seconds=2.0) as phone:
            result = await call(caller="13900000101", steps=[Wait(16.0)], timeout=40)
            assert result.ok and phone.calls_received == 1
        await asterisk.wait_for_log(r"Playing '/var/lib/hotline/prompts/fallback_notice", timeout=5)
    finally:
        daemon.start()


async def test_daemon_killed_mid_call_falls_back_and_restart_closes_the_record(hotline_lab, daemon):
    db = load_settings(hotline_lab[1]).database.url
    async with AgentPhone("1003", "pw1003-e2e", answer_after=1.0, talk_seconds=2.0) as phone:
        handle = await start_call(caller="13900000102", steps=[Wait(20.0)], timeout=40)
        engine = make_engine(db)
        try:  # kill once the call's row is on disk (its start is what a crash must not lose)
            await until(lambda: _row_on_disk(engine, "13900000102"), 15, "call row written")
        finally:
            await engine.dispose()
        daemon.kill()
        try:
            result = await handle.wait()
            assert result.ok and phone.calls_received == 1  # the fallback rang the agent
        finally:
            daemon.start()
    (row,) = await rows_for(db, "13900000102")
    # closed at the restart from its events, then from Asterisk's CDR ledger: the fallback took it
    assert row.outcome == "fallback" and row.agent_id == "003", (row.outcome, row.failure_reason)


async def _row_on_disk(engine, caller: str) -> bool:
    return any(r.caller_number == caller for r in await fetch_calls(engine))


@pytest.mark.postgres
async def test_calls_are_stored_in_postgresql(hotline_lab, daemon, pg_server, e2e_dir):
    url = pg_server.create_database("e2e_hotline")
    cfg = write_config(e2e_dir / "hotline-pg.yaml", url)
    daemon.stop()
    pg_daemon = DaemonProc(cfg, e2e_dir / "daemon-pg.log")
    try:
        pg_daemon.start()
        result = await call(caller="13900000103", steps=[Wait(2.0)])
        assert result.ok
        (row,) = await rows_for(url, "13900000103")
        assert row.outcome == "ivr_only" and row.started_at.tzinfo is not None
    finally:
        pg_daemon.stop()
        daemon.start()


async def test_daemon_killed_with_a_caller_waiting_in_the_queue_an_agent_still_answers(hotline_lab, daemon):
    db = load_settings(hotline_lab[1]).database.url
    handle = await start_call(caller="13900000104", steps=[Wait(7.5), Dtmf("0"), Wait(40.0)], timeout=60)
    engine = make_engine(db)
    try:  # wait until the caller is in the queue (the row says when it joined)
        await until(lambda: _queued(engine, "13900000104"), 30, "caller queued")
    finally:
        await engine.dispose()
    daemon.kill()
    try:
        async with AgentPhone("1003", "pw1003-e2e", answer_after=1.0, talk_seconds=3.0) as phone:
            await until(lambda: phone.calls_received >= 1, 30, "the fallback rang the agent")
            result = await handle.wait()
        assert result.ok
    finally:
        daemon.start()
    (row,) = await rows_for(db, "13900000104")
    assert row.outcome == "fallback" and row.agent_id == "003", (row.outcome, row.failure_reason)
    assert row.queued_at is not None


async def _queued(engine, caller: str) -> bool:
    rows = [r for r in await fetch_calls(engine) if r.caller_number == caller]
    return bool(rows) and any(e.kind == "queued" for e in await fetch_events(engine, rows[0].uniqueid))
