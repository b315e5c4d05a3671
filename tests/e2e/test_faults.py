"""Fault campaign under load (real Asterisk, sipp callers, sipp agents): the daemon killed or
stopped, Asterisk restarted. Counts are asserted; the figures are printed for the record
(`pytest -s`)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from e2e_setup import rows_for
from polling import until

from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls, fetch_events
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.session import start_and_wait
from lab.sipp import call, start_call

pytestmark = pytest.mark.e2e
TO_AGENT = [Wait(7.5), Dtmf("0")]  # after the greeting, 0 = an agent


def db(hotline_lab) -> str:
    return load_settings(hotline_lab[1]).database.url


def logged(daemon, offset: int, event: str, **fields) -> list[dict]:
    return [
        e
        for e in daemon.events(offset)
        if e.get("event") == event and all(e.get(k) == v for k, v in fields.items())
    ]


async def answered_event(db_url: str, caller: str) -> bool:
    engine = make_engine(db_url)
    try:
        rows = [r for r in await fetch_calls(engine) if r.caller_number == caller]
        return bool(rows) and any(e.kind == "answer" for e in await fetch_events(engine, rows[0].uniqueid))
    finally:
        await engine.dispose()


async def test_daemon_killed_while_the_caller_talks_the_agents_are_not_rung_again(hotline_lab, daemon):
    caller = "13900007501"
    async with AgentPhone("1004", "pw1004-e2e", answer_after=1.0, talk_seconds=6.0) as phone:
        handle = await start_call(caller=caller, steps=[*TO_AGENT, Wait(30.0)], timeout=60)
        await until(lambda: answered_event(db(hotline_lab), caller), 30, "the agent answered")
        daemon.kill()
        try:
            result = await handle.wait()
            assert result.ok and result.remote_hangup  # goodbye after the talk, then Asterisk hung up
            rung = phone.calls_received
            assert rung == 1, phone.events  # never rung a second time
        finally:
            daemon.start()
    (row,) = await rows_for(db(hotline_lab), caller)
    assert row.agent_id == "004" and row.outcome == "agent_answered", (row.outcome, row.failure_reason)
    print(f"\nkill during talk: 1 call, agent rung {rung} time(s), 1 row with agent 004")


async def test_daemon_sigkill_under_load_every_call_has_exactly_one_row(hotline_lab, daemon):
    callers = [f"139000076{i:02d}" for i in range(8)]
    offset = daemon.log.stat().st_size
    async with (
        AgentPhone("1007", "pw1007-e2e", answer_after=1.0, talk_seconds=2.0),
        AgentPhone("1008", "pw1008-e2e", answer_after=1.0, talk_seconds=2.0),
    ):
        handles = [await start_call(caller=c, steps=[*TO_AGENT, Wait(40.0)], timeout=80) for c in callers]
        await until(lambda: len(logged(daemon, offset, "call.started")) >= 8, 20, "8 callers in the menu")
        daemon.kill()
        try:
            results = await asyncio.gather(*(h.wait() for h in handles))
        finally:
            daemon.start()
    assert all(r.ok for r in results), results
    rows = [await rows_for(db(hotline_lab), c) for c in callers]
    assert [len(r) for r in rows] == [1] * 8  # records lost: 0, no call twice
    # (both phones answer a ring-all; Asterisk keeps the first: count the agents on the rows)
    reached = sum(1 for (row,) in rows if row.agent_id in ("007", "008"))
    print(
        f"\nSIGKILL under load: {reached}/8 callers reached an agent through the fallback; "
        f"8/8 calls have exactly one row ({sorted(r[0].outcome for r in rows)})"
    )
    assert reached == 8


async def test_sigterm_with_calls_in_progress_logs_json_lines_only(hotline_lab, daemon):
    callers = [f"139000077{i:02d}" for i in range(3)]
    offset = daemon.log.stat().st_size
    handles = [await start_call(caller=c, steps=[Wait(4.0)]) for c in callers]
    await until(lambda: len(logged(daemon, offset, "call.started")) >= 3, 20, "3 calls in progress")
    try:
        assert daemon.stop() == 0
    finally:
        tail = daemon.log.read_bytes()[offset:].decode("utf-8", "replace")
        daemon.start()
    lines = [line for line in tail.splitlines() if line.strip()]
    assert all(isinstance(json.loads(line), dict) for line in lines), lines
    assert "Traceback" not in tail
    await asyncio.gather(*(h.wait() for h in handles))
    for c in callers:
        (row,) = await rows_for(db(hotline_lab), c)
        assert row.outcome is not None


async def test_asterisk_restart_ami_comes_back_and_the_next_call_works(hotline_lab, daemon):
    asterisk, _ = hotline_lab
    offset = daemon.log.stat().st_size
    asterisk.stop()
    await start_and_wait(asterisk)
    up = datetime.now(UTC)  # Asterisk answers AMI logins again
    resynced = await asyncio.to_thread(
        daemon.wait_log, lambda e: e.get("event") == "ami.resynced", 30, offset
    )
    back_s = (datetime.fromisoformat(resynced["timestamp"]) - up).total_seconds()
    assert resynced["registered"] == []  # Asterisk starts with no softphone registered
    result = await call(caller="13900007801", steps=[Wait(2.0)])
    assert result.ok and result.answered
    (row,) = await rows_for(db(hotline_lab), "13900007801")
    assert row.outcome == "ivr_only"
    started = logged(daemon, offset, "call.started", uniqueid=row.uniqueid)
    assert started and started[0]["lines_in_use"] == 1  # nothing held from before the restart
    print(
        f"\nAsterisk restart: the daemon's AMI was resynced {back_s:+.2f} s after Asterisk answered "
        "AMI again; next call ok, lines in use back to 0"
    )


@pytest.mark.postgres
async def test_postgresql_away_for_30_s_calls_go_on_and_no_record_is_lost(
    hotline_lab, daemon, pg_server, e2e_dir
):
    from daemon_proc import DaemonProc
    from e2e_setup import write_config
    from tcp_gate import TcpGate

    direct = pg_server.create_database("e2e_outage")
    gate = TcpGate("127.0.0.1", pg_server.port)  # the daemon reaches PostgreSQL only through it
    await gate.open()
    via_gate = direct.replace(f":{pg_server.port}/", f":{gate.port}/")
    cfg = write_config(e2e_dir / "hotline-pg-outage.yaml", via_gate)
    daemon.stop()
    pg_daemon = DaemonProc(cfg, e2e_dir / "daemon-pg-outage.log")
    callers = [f"139000079{i:02d}" for i in range(9)]
    try:
        await asyncio.to_thread(pg_daemon.start)  # (it polls its log; the gate must keep serving)
        await gate.shut()
        loop = asyncio.get_running_loop()
        down_at = loop.time()
        for batch in (callers[0:3], callers[3:6], callers[6:9]):  # three waves of callers, ~30 s
            results = await asyncio.gather(*(call(caller=c, steps=[Wait(10.0)]) for c in batch))
            assert all(r.ok and r.answered for r in results), results
        outage_s = loop.time() - down_at
        assert logged(pg_daemon, 0, "store.outage")
        await gate.open()
        for c in callers:
            (row,) = await rows_for(direct, c, timeout=60)
            assert row.outcome == "ivr_only"
        recovered = await asyncio.to_thread(
            pg_daemon.wait_log, lambda e: e.get("event") == "store.recovered", 30
        )
        print(
            f"\nPostgreSQL away {outage_s:.0f} s: 9/9 calls served, 9/9 records written after it "
            f"came back (outage logged {recovered.get('outage_s')} s); records lost: 0"
        )
    finally:
        if not gate.is_open:
            await gate.open()
        await asyncio.to_thread(pg_daemon.stop)
        await gate.shut()
        await asyncio.to_thread(daemon.start)
