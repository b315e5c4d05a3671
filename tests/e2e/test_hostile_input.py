"""Hostile input through the real Asterisk: caller numbers that try to inject AGI headers, and
FastAGI peers that seize lines and go silent."""

from __future__ import annotations

import asyncio

import pytest
from e2e_setup import rows_for
from polling import until

from hotline.settings import load_settings
from lab.ami import AmiCredentials, RawAmi
from lab.caller_steps import Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e

# the caller's SIP URI user part (%-escaped) -> the number the call row must hold, verbatim
INJECTED = {
    "13900007001%0Aagi_network_script%3A%20agent": "13900007001\nagi_network_script: agent",
    "13900007002%0Aagi_uniqueid%3A%20forged.1": "13900007002\nagi_uniqueid: forged.1",
    "13900007003%0D%0Aagi_arg_1%3A%20bG9naW5fdG9nZ2xl": "13900007003\r\nagi_arg_1: bG9naW5fdG9nZ2xl",
    "13900007004%0A%0Aagi_network_script%3A%20agent": "13900007004\n\nagi_network_script: agent",
}


def settings(hotline_lab):
    return load_settings(hotline_lab[1])


async def ami(hotline_lab) -> RawAmi:
    s = settings(hotline_lab)
    return await RawAmi.connect(
        AmiCredentials("127.0.0.1", s.ami.port, s.ami.username, s.ami.secret.get_secret_value())
    )


async def test_injected_caller_numbers_are_served_inbound_under_asterisks_own_id(hotline_lab, daemon):
    conn = await ami(hotline_lab)
    try:
        for caller, stored in INJECTED.items():
            result = await call(caller=caller, steps=[Wait(3.0)])
            assert result.ok and result.answered, (caller, result)
            (row,) = await rows_for(settings(hotline_lab).database.url, stored)
            assert row.direction == "inbound" and row.outcome == "ivr_only", (caller, row.failure_reason)
            channels = {e.get("Uniqueid") for e in conn.events if e.get("Event") == "Newchannel"}
            assert row.uniqueid in channels, (caller, row.uniqueid)
    finally:
        await conn.close()


def hostile_headers(i: int) -> bytes:
    return (
        "agi_network: yes\nagi_network_script: inbound\nagi_request: agi://127.0.0.1/inbound\n"
        f"agi_channel: PJSIP/trunk-hostile{i}\nagi_uniqueid: hostile.{i}\nagi_version: 22.0.0\n"
        "agi_callerid: 13900007099\nagi_dnid: 95598\n\n"
    ).encode()


async def test_eight_silent_fastagi_peers_then_a_normal_call_is_answered(hotline_lab, daemon):
    offset = daemon.log.stat().st_size
    peers = []
    for i in range(8):
        reader, writer = await asyncio.open_connection("127.0.0.1", 4573)
        writer.write(hostile_headers(i))
        peers.append((reader, writer))
    try:
        # they seize the 8 lines and never answer; the line audit finds no such channels in
        # Asterisk and ends them (the daemon closes their sockets)
        for reader, _ in peers:
            await asyncio.wait_for(reader.read(), 30)
        freed = [e for e in daemon.events(offset) if e.get("event") == "line_audit.freed"]
        assert sorted(e["call"] for e in freed) == [f"hostile.{i}" for i in range(8)]
        result = await call(caller="13900007100", steps=[Wait(2.0)])
        assert result.ok and result.answered and not result.busy
        (row,) = await rows_for(settings(hotline_lab).database.url, "13900007100")
        assert row.outcome == "ivr_only"
        started = [
            e
            for e in daemon.events(offset)
            if e.get("event") == "call.started" and e.get("uniqueid") == row.uniqueid
        ]
        assert started and started[0]["lines_in_use"] == 1  # every hostile line came back
        await until(
            lambda: any(
                e.get("event") == "call.ended" and e.get("uniqueid") == row.uniqueid
                for e in daemon.events(offset)
            ),
            10,
            "the normal call ended",
        )
    finally:
        for _, writer in peers:
            writer.close()
