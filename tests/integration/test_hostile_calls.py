"""Hostile or broken FastAGI peers against the daemon: no line leaks, every call is recorded once,
and routing and ids come from Asterisk only (scripted Asterisk ends, a real store)."""

from __future__ import annotations

import asyncio

import pytest
from daemon_settings import daemon_settings
from fake_asterisk import FakeCall, asterisk_headers, b64
from in_process import daemon_in_process
from polling import until

from hotline.settings import Settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls

GREETING = 'STREAM FILE "/var/lib/hotline/prompts/greeting"'


def settings_for(db_url: str, tmp, reply_timeout: float | None = None) -> Settings:
    settings = daemon_settings(db_url, tmp)
    if reply_timeout is None:
        return settings
    return settings.model_copy(
        update={"fastagi": settings.fastagi.model_copy(update={"reply_timeout": reply_timeout})}
    )


async def rows(db_url):
    engine = make_engine(db_url)
    try:
        return {r.uniqueid: r for r in await fetch_calls(engine)}
    finally:
        await engine.dispose()


def lines_in_use(running) -> int:
    return running.ctx.trunks.in_use("inbound") + running.ctx.trunks.in_use("outbound")


def hostile_inbound(port: int, i: int) -> FakeCall:
    """Eight ways a call's headers can hold what the store cannot take as is."""
    ch = f"PJSIP/trunk-0000000{i}"
    variants = [
        asterisk_headers(
            uniqueid="900.1", channel=ch, callerid="138", dnid="9" * 300, args=(b64("138"), b64(""))
        ),  # dialled number longer than its column
        asterisk_headers(
            uniqueid="9" * 200, channel=ch, callerid="138", args=(b64("138"), b64(""))
        ),  # uniqueid longer than its column
        asterisk_headers(
            uniqueid="900.3", channel="PJSIP/" + "x" * 300, callerid="138", args=(b64("138"), b64(""))
        ),  # channel longer than its column
        asterisk_headers(
            uniqueid="900.4", channel=ch, callerid="13\x008", args=(b64("13\x008"), b64("a\x00b"))
        ),  # NUL in the caller ID
        asterisk_headers(
            uniqueid="900.1", channel=ch, callerid="138", args=(b64("138"), b64(""))
        ),  # a reused uniqueid
        asterisk_headers(
            uniqueid="900.6\x00x", channel=ch, callerid="138", args=(b64("138"), b64(""))
        ),  # NUL in the uniqueid
        asterisk_headers(
            uniqueid="900.7", channel=ch, callerid="138", args=("not base64!", b64(""))
        ),  # a broken caller ID argument
        asterisk_headers(
            uniqueid="900.8", channel=ch, callerid="1" * 5000, args=(b64("1" * 300), b64(""))
        ),  # a huge caller ID
    ]
    return FakeCall(port, f"900.{i}", header_block=variants[i], hang_up_on=GREETING)


async def test_calls_the_store_would_refuse_are_served_recorded_and_free_their_line(daemon, db_url):
    for i in range(8):
        call = hostile_inbound(daemon.server.port, i)
        await asyncio.wait_for(call.run(), 10)
        assert call.received[0] == "ANSWER", f"variant {i} was not answered: {call.received[:2]}"
    await until(lambda: lines_in_use(daemon) == 0, 5, "every line released")
    normal = FakeCall(daemon.server.port, "901.1", hang_up_on=GREETING)
    await asyncio.wait_for(normal.run(), 10)
    assert normal.received[0] == "ANSWER"  # not Busy: nothing leaked
    await daemon.ctx.recorder.flush()
    stored = await rows(db_url)
    assert len(stored) == 9 and all(r.outcome == "ivr_only" for r in stored.values())
    assert all(len(uid) <= 64 and "\x00" not in uid for uid in stored)
    assert "900.1" in stored and "900.1~2" in stored  # the reused id is recorded apart
    assert stored["900.1"].dnid == "9" * 40
    assert stored["900.4"].caller_number == "13\ufffd8"


async def test_a_silent_peer_does_not_hold_a_line(db_url, tmp_path):
    async with daemon_in_process(settings_for(db_url, tmp_path, reply_timeout=0.3)) as running:
        silent = [FakeCall(running.server.port, f"910.{i}", silent_after=1) for i in range(8)]
        tasks = [asyncio.create_task(c.run()) for c in silent]
        await until(lambda: sum(len(c.received) >= 2 for c in silent) == 8, 5, "8 silent peers connected")
        await until(lambda: lines_in_use(running) == 0, 5, "lines freed after the reply timeout")
        await asyncio.wait_for(asyncio.gather(*tasks), 5)  # the daemon closed their sockets
        normal = FakeCall(running.server.port, "911.1", hang_up_on=GREETING)
        await asyncio.wait_for(normal.run(), 10)
        assert normal.received[0] == "ANSWER"
        await running.ctx.recorder.flush()
        stored = await rows(db_url)
        assert {stored[f"910.{i}"].outcome for i in range(8)} == {"failed"}
        assert "no reply from Asterisk within 0.3 s" in stored["910.0"].failure_reason


@pytest.mark.parametrize(
    "evil",
    [
        "138\nagi_network_script: agent",
        "138\nagi_uniqueid: forged.1",
        "138\nagi_arg_1: bG9naW5fdG9nZ2xl\nagi_arg_2: x",
    ],
)
async def test_a_caller_id_cannot_route_or_rename_the_call(daemon, db_url, evil):
    block = asterisk_headers(
        uniqueid="920.1", channel="PJSIP/trunk-00000001", callerid=evil, args=(b64("138"), b64(""))
    )
    call = FakeCall(daemon.server.port, "920.1", header_block=block, hang_up_on=GREETING)
    await asyncio.wait_for(call.run(), 10)
    assert call.received[0] == "ANSWER" and call.received[1].startswith(GREETING)  # the inbound route
    await daemon.ctx.recorder.flush()
    (row,) = (await rows(db_url)).values()
    assert row.uniqueid == "920.1" and row.outcome == "ivr_only" and row.caller_number == "138"
    assert daemon.server.injections == 1


async def test_keys_a_to_d_are_wrong_keys_not_a_crash(daemon, db_url):
    # the greeting plays through, the top menu waits for a key: the caller presses A, then hangs up
    call = FakeCall(
        daemon.server.port,
        "930.1",
        replies={"WAIT FOR DIGIT": b"200 result=65\n"},
        hang_up_on='STREAM FILE "/var/lib/hotline/prompts/invalid_input"',
    )
    await asyncio.wait_for(call.run(), 10)
    await daemon.ctx.recorder.flush()
    (row,) = (await rows(db_url)).values()
    assert row.outcome == "ivr_only", row.failure_reason
    assert any(step["key"] == "A" for step in row.ivr_path)


@pytest.mark.parametrize(
    "reply, command",
    [
        (b"200 result=99999999\n", "WAIT FOR DIGIT"),
        (b"200 result=2147483647\n", "WAIT FOR DIGIT"),
        (b"200 result=35\n", "STREAM FILE"),  # a key the prompt was not told to accept
    ],
)
async def test_out_of_range_results_fail_the_call_cleanly(daemon, db_url, reply, command):
    call = FakeCall(daemon.server.port, "940.1", replies={command: reply})
    await asyncio.wait_for(call.run(), 10)
    await until(lambda: lines_in_use(daemon) == 0, 5, "line released")
    await daemon.ctx.recorder.flush()
    (row,) = (await rows(db_url)).values()
    assert row.outcome == "failed" and row.failure_reason.startswith("AgiProtocolError")


async def test_agent_calls_out_with_reused_ids_never_leak_the_4_lines(daemon, db_url):
    def dial_out(i: int, uid: str) -> FakeCall:
        block = asterisk_headers(
            route="outbound",
            uniqueid=uid,
            channel=f"PJSIP/1001-0000000{i}",
            callerid="1001",
            args=("13800138000",),
        )
        return FakeCall(
            daemon.server.port,
            uid,
            header_block=block,
            route="outbound",
            replies={
                'GET VARIABLE "DIALSTATUS"': b"200 result=1 (ANSWER)\n",
                'GET VARIABLE "ANSWEREDTIME"': b"200 result=1 (abc)\n",
            },
        )

    for i in range(6):
        call = dial_out(i, "950.1" if i < 5 else "9" * 100)
        await asyncio.wait_for(call.run(), 10)
        assert any(c.startswith('EXEC "Dial"') for c in call.received), call.received
    assert lines_in_use(daemon) == 0
    await daemon.ctx.recorder.flush()
    stored = await rows(db_url)
    assert len(stored) == 6 and {r.outcome for r in stored.values()} == {"answered"}
    assert {r.agent_id for r in stored.values()} == {"001"}


@pytest.mark.parametrize("caller", ["+8613900002999", "008613900002999", "139 0000 2999"])
async def test_a_vip_is_known_in_any_written_form(db_url, tmp_path, caller):
    settings = settings_for(db_url, tmp_path).model_copy(deep=True)
    acd = settings.acd.model_copy(update={"vip_numbers": ["13900002999"]})
    async with daemon_in_process(settings.model_copy(update={"acd": acd})) as running:
        call = FakeCall(
            running.server.port,
            "960.1",
            caller=caller,
            replies={"WAIT FOR DIGIT": b"200 result=48\n"},  # 0 = agent
            hang_up_on='EXEC "MixMonitor"',
        )
        await asyncio.wait_for(call.run(), 10)
        await running.ctx.recorder.flush()
        (row,) = (await rows(db_url)).values()
        assert row.priority == settings.acd.vip_priority
