"""Inbound calls through the real Asterisk and the daemon process (sipp callers and agents)."""

from __future__ import annotations

import asyncio

import pytest
from e2e_setup import rows_for
from polling import until

from hotline.asterisk.ami_filters import EVENTS, filter_actions
from hotline.settings import load_settings
from lab.agent_phone import AgentPhone
from lab.ami import AmiCredentials, RawAmi
from lab.caller_steps import Dtmf, Wait
from lab.sipp import call, start_call

pytestmark = pytest.mark.e2e
GREETING = '"/var/lib/hotline/prompts/greeting"'


def db_url(hotline_lab) -> str:
    return load_settings(hotline_lab[1]).database.url


async def ami(hotline_lab) -> RawAmi:
    s = load_settings(hotline_lab[1])
    return await RawAmi.connect(
        AmiCredentials("127.0.0.1", s.ami.port, s.ami.username, s.ami.secret.get_secret_value())
    )


def agi_commands(conn: RawAmi, uniqueid: str) -> list[str]:
    return [
        e.get("Command", "")
        for e in conn.events
        if e.get("Event") == "AGIExecStart" and e.get("Uniqueid") == uniqueid
    ]


async def test_answered_greeted_hung_up_one_row(hotline_lab, daemon):
    conn = await ami(hotline_lab)
    try:
        result = await call(caller="13900000001", steps=[Wait(3.0)])
        assert result.ok and result.answered and not result.remote_hangup
        (row,) = await rows_for(db_url(hotline_lab), "13900000001")
        assert row.outcome == "ivr_only" and row.direction == "inbound" and row.dnid == "95598"
        assert row.started_at <= row.answered_at <= row.ended_at
        assert 2.0 < (row.ended_at - row.answered_at).total_seconds() < 5.0
        cmds = await _wait_commands(conn, row.uniqueid, lambda c: any(GREETING in x for x in c))
        assert cmds[0] == "ANSWER" and any(x.startswith("STREAM FILE") and GREETING in x for x in cmds)
    finally:
        await conn.close()


async def _wait_commands(conn: RawAmi, uniqueid: str, ok, timeout: float = 5.0) -> list[str]:
    await conn.collect(
        lambda e: e.get("Event") == "AGIExecStart" and e.get("Uniqueid") == uniqueid, 1, timeout
    )
    await until(lambda: ok(agi_commands(conn, uniqueid)), timeout, "AGI commands seen on AMI")
    return agi_commands(conn, uniqueid)


async def test_hostile_caller_id_is_stored_verbatim_and_injects_nothing(hotline_lab, daemon):
    conn = await ami(hotline_lab)
    try:
        result = await call(caller="evil%0AEXEC%20System%20ls", steps=[Wait(2.0)])
        assert result.ok
        (row,) = await rows_for(db_url(hotline_lab), "evil\nEXEC System ls")
        cmds = await _wait_commands(conn, row.uniqueid, lambda c: any(GREETING in x for x in c))
        assert cmds[0] == "ANSWER" and any(x.startswith("STREAM FILE") and GREETING in x for x in cmds), cmds
        assert not any(c.upper().startswith(("EXEC SYSTEM", 'EXEC "SYSTEM"')) for c in cmds), cmds
    finally:
        await conn.close()


async def test_agent_answers_and_the_row_names_the_agent(hotline_lab, daemon):
    async with AgentPhone("1001", "pw1001-e2e", answer_after=1.0, talk_seconds=3.0) as phone:
        # 0 during the top menu (after the greeting) = agent
        result = await call(caller="13900000002", steps=[Wait(8.0), Dtmf("0"), Wait(20.0)], timeout=45)
        assert result.ok and phone.calls_received == 1
    (row,) = await rows_for(db_url(hotline_lab), "13900000002")
    assert row.outcome == "agent_answered" and row.agent_id == "001" and row.agent_extension == "1001"
    assert 2.0 <= row.talk_s <= 4.5 and row.agents_rung >= 1


async def test_the_daemons_event_filters_keep_the_agent_leg_and_drop_the_callers_own_state(
    hotline_lab, daemon
):
    """The Filter actions the daemon sends at login, on a session of our own, against the real
    Asterisk: the caller's Newstate and Hangup (nothing reads them) do not come; the agent's leg
    going Up (the answer instant) and the caller's DialBegin do."""
    conn = await ami(hotline_lab)
    try:
        for action in filter_actions():
            fields = {k: v for k, v in action.items() if k != "Action"}
            await conn.action(action["Action"], **fields)
        filtered = len(conn.events)  # its own login's SuccessfulAuth came before
        async with AgentPhone("1001", "pw1001-e2e", answer_after=1.0, talk_seconds=2.0) as phone:
            result = await call(caller="13900000041", steps=[Wait(8.0), Dtmf("0"), Wait(15.0)], timeout=45)
            assert result.ok and phone.calls_received == 1
        (row,) = await rows_for(db_url(hotline_lab), "13900000041")
        await until(
            lambda: any(e.get("Event") == "Hangup" and e.get("Context") == "agents" for e in conn.events),
            10,
            "the agent leg's Hangup",
        )
        mine = [e for e in conn.events if e.get("Uniqueid") == row.uniqueid]
        assert [e.get("Event") for e in mine if e.get("Event") in ("Newstate", "Hangup")] == []
        assert any(e.get("Event") == "DialBegin" for e in mine)
        legs = [e for e in conn.events if e.get("Context") == "agents"]
        assert any(e.get("Event") == "Newstate" and e.get("ChannelStateDesc") == "Up" for e in legs)
        assert {e.get("Event") for e in conn.events[filtered:]} <= set(EVENTS)
    finally:
        await conn.close()


async def test_nine_simultaneous_callers_eight_served_one_blocked(hotline_lab, daemon):
    handles = [await start_call(caller=f"1390000030{i}", steps=[Wait(6.0)]) for i in range(9)]
    results = await asyncio.gather(*(h.wait() for h in handles))
    assert sum(r.ok for r in results) == 8, results
    assert sum(r.busy for r in results) == 1, results
    outcomes = []
    for i in range(9):
        (row,) = await rows_for(db_url(hotline_lab), f"1390000030{i}")
        outcomes.append(row.outcome)
    assert outcomes.count("blocked") == 1 and outcomes.count("ivr_only") == 8


async def test_port_probes_do_not_stall_a_call(hotline_lab, daemon):
    handle = await start_call(caller="13900000004", steps=[Wait(4.0)])

    async def probes():
        for _ in range(1000):
            _, w = await asyncio.open_connection("127.0.0.1", 4573)
            w.close()

    t0 = asyncio.get_running_loop().time()
    await probes()
    probe_s = asyncio.get_running_loop().time() - t0
    result = await handle.wait()
    assert result.ok, result
    (row,) = await rows_for(db_url(hotline_lab), "13900000004")
    assert row.outcome == "ivr_only"
    assert 3.0 < (row.ended_at - row.answered_at).total_seconds() < 5.5
    assert probe_s < 10
    # the daemon still takes new calls at once
    assert (await call(caller="13900000005", steps=[Wait(1.0)])).ok
