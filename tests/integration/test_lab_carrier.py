"""The lab carrier (lab.carrier) driven by a sipp probe playing Asterisk, without Asterisk.

The carrier runs on a free lab port (never 5060/5070: those belong to the real lab). The
probe's SDP points at a socket of the test, which decodes the RFC 4733 key the carrier sends.
Answered calls need root (sipp plays RTP through raw sockets).
"""

from __future__ import annotations

import asyncio
import os
import struct
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from polling import until

from lab import ports
from lab.carrier import Carrier, dtmf_pcap
from lab.errors import LabError, LabTimeout
from lab.sipp_process import SippProcess, scenario_path

DTMF_PT = 101
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="sipp sends RTP through raw sockets (root)")


class RtpSink(asyncio.DatagramProtocol):
    """The probe's media port: keeps every RTP packet it receives."""

    def __init__(self) -> None:
        self.packets: list[bytes] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.packets.append(data)

    def dtmf(self) -> list[tuple[int, bool, bool]]:
        """(event code, marker, end bit) of the telephone-event packets."""
        return [
            (p[12], bool(p[1] & 0x80), bool(p[13] & 0x80))
            for p in self.packets
            if len(p) >= 16 and p[1] & 0x7F == DTMF_PT
        ]


@asynccontextmanager
async def probe(
    carrier: Carrier,
    number: str,
    workdir: Path,
    *,
    hold: float = 2.5,
    cancel_after: float | None = None,
) -> AsyncIterator[tuple[SippProcess, RtpSink]]:
    """One call from the probe to `number`; yields (sipp, media sink)."""
    loop = asyncio.get_running_loop()
    transport, sink = await loop.create_datagram_endpoint(RtpSink, local_addr=("127.0.0.1", 0))
    args = [
        "-s",
        number,
        "-m",
        "1",
        "-timeout",
        "30s",
        "-timeout_error",
        "-key",
        "rtp_port",
        str(transport.get_extra_info("sockname")[1]),
        "-set",
        "hold_ms",
        str(round(hold * 1000)),
    ]
    if cancel_after is not None:
        args += ["-set", "cancel_ms", str(round(cancel_after * 1000))]
    sipp = await SippProcess.start(
        scenario_path("carrier_probe.xml"),
        args,
        workdir=workdir / number,
        name="probe",
        remote=f"127.0.0.1:{carrier.port}",
    )
    try:
        yield sipp, sink
    finally:
        await sipp.stop()
        transport.close()


async def finished(sipp: SippProcess) -> tuple[str, str]:
    """Wait for the probe's call to end: (its one outcome event, its rest), after an 'answered'."""
    assert await sipp.wait(40) == 0, sipp.stderr_tail()
    events = [e for e in sipp.events() if e[0] != "answered"]
    assert len(events) == 1, sipp.events()
    return events[0]


def of_call(carrier: Carrier, call_id: str) -> list[tuple[str, str]]:
    return [(event, detail) for event, cid, detail in carrier.events if cid == call_id]


@pytest.fixture
def sip_port() -> Iterator[int]:
    block = ports.allocate()  # kept taken, so no other lab sipp gets this port meanwhile
    try:
        yield block.sip
    finally:
        block.release()


def test_dtmf_pcap_is_one_rfc4733_event() -> None:
    data = dtmf_pcap(7, 101, tone_ms=100)
    offset, rtp = 24, []
    while offset < len(data):
        length = struct.unpack_from("<I", data, offset + 8)[0]
        rtp.append(data[offset + 16 + 42 : offset + 16 + length])  # after Ethernet/IPv4/UDP
        offset += 16 + length
    assert [p[1] & 0x7F for p in rtp] == [0] * 20 + [101] * 8
    events = [(p[12], p[1] >> 7, p[13] >> 7, struct.unpack("!H", p[14:16])[0]) for p in rtp[20:]]
    assert events == [
        (7, 1, 0, 160),
        (7, 0, 0, 320),
        (7, 0, 0, 480),
        (7, 0, 0, 640),
        (7, 0, 0, 800),
        (7, 0, 1, 800),
        (7, 0, 1, 800),
        (7, 0, 1, 800),
    ]
    assert len({p[8:12] for p in rtp}) == 1 and len({p[4:8] for p in rtp[20:]}) == 1
    for name in ("carrier_uas.xml", "carrier_probe.xml"):
        ET.parse(scenario_path(name))


@needs_root
async def test_answers_and_presses_the_last_digit(sip_port: int, tmp_path: Path) -> None:
    async with Carrier(port=sip_port, key_after=0.3, answer_after=0.2) as carrier:
        async with probe(carrier, "13800000013", tmp_path, hold=2.5) as (sipp, sink):
            assert await finished(sipp) == ("local_hangup", sipp.events()[0][1])
            await until(lambda: (3, False, True) in sink.dtmf(), 10.0, "end of DTMF event 3")
            assert {code for code, _, _ in sink.dtmf()} == {3}
            assert sink.dtmf()[0] == (3, True, False)  # the marker starts the event
            call_id = sipp.events()[0][1]
        await carrier.wait_for("remote_hangup", 1, timeout=5)
        assert of_call(carrier, call_id) == [
            ("invite", "13800000013"),
            ("answered", "13800000013"),
            ("key", "3"),
            ("remote_hangup", ""),
        ]


@pytest.mark.parametrize(
    ("number", "code", "event"),
    [
        ("13800000021", 486, "busy"),
        ("13800000042", 603, "rejected"),
        ("13800000050", 404, "not_found"),
        ("13800000010", 404, "not_found"),
        ("95598", 404, "not_found"),
    ],
)
async def test_refused_numbers(sip_port: int, tmp_path: Path, number: str, code: int, event: str) -> None:
    async with Carrier(port=sip_port) as carrier:
        async with probe(carrier, number, tmp_path) as (sipp, _sink):
            outcome, rest = await finished(sipp)
            assert (outcome, rest.split()[0]) == ("rejected", str(code))
        (found,) = await carrier.wait_for(event, 1, timeout=5)
        assert found == (event, rest.split()[1], number)
        assert carrier.count("answered") == 0


async def test_never_answers_and_takes_the_cancel(sip_port: int, tmp_path: Path) -> None:
    async with Carrier(port=sip_port) as carrier:
        async with probe(carrier, "13800000035", tmp_path, cancel_after=1.0) as (sipp, _sink):
            outcome, call_id = await finished(sipp)
            assert outcome == "cancelled"
        await carrier.wait_for("cancelled", 1, timeout=5)
        assert of_call(carrier, call_id) == [("invite", "13800000035"), ("cancelled", "13800000035")]


async def test_cancel_while_ringing_before_the_answer(sip_port: int, tmp_path: Path) -> None:
    async with Carrier(port=sip_port, answer_after=10) as carrier:
        async with probe(carrier, "13800000015", tmp_path, cancel_after=0.3) as (sipp, _sink):
            assert (await finished(sipp))[0] == "cancelled"
        await carrier.wait_for("cancelled", 1, timeout=5)
        assert carrier.count("answered") == 0 and carrier.count("key") == 0


@needs_root
async def test_hangs_up_itself_when_asterisk_does_not(sip_port: int, tmp_path: Path) -> None:
    async with Carrier(port=sip_port, key_after=0.2, answer_after=0.1, hangup_after=1.0) as carrier:
        async with probe(carrier, "13800000019", tmp_path, hold=20) as (sipp, sink):
            outcome, call_id = await finished(sipp)
            assert outcome == "remote_hangup"
            assert {code for code, _, _ in sink.dtmf()} == {9}
        await carrier.wait_for("local_hangup", 1, timeout=5)
        assert [e for e, _ in of_call(carrier, call_id)] == ["invite", "answered", "key", "local_hangup"]


@needs_root
async def test_four_concurrent_calls_of_mixed_kinds(sip_port: int, tmp_path: Path) -> None:
    async with Carrier(port=sip_port, key_after=0.5, answer_after=0.5) as carrier:
        async with (
            probe(carrier, "13900000017", tmp_path, hold=3) as (answered, sink),
            probe(carrier, "13900000022", tmp_path) as (busy, _),
            probe(carrier, "13900000033", tmp_path, cancel_after=1.5) as (ringing, _),
            probe(carrier, "13900000044", tmp_path) as (declined, _),
        ):
            outcomes = await asyncio.gather(*(finished(p) for p in (answered, busy, ringing, declined)))
            await until(lambda: (7, False, True) in sink.dtmf(), 10.0, "end of DTMF event 7")
            assert {code for code, _, _ in sink.dtmf()} == {7}
        assert [o[0] for o in outcomes] == ["local_hangup", "rejected", "cancelled", "rejected"]
        assert [o[1].split()[0] for o in outcomes[1::2]] == ["486", "603"]
        await carrier.wait_for("remote_hangup", 1, timeout=5)
        await carrier.wait_for("cancelled", 1, timeout=5)
        assert carrier.count("invite") == 4 and carrier.count("answered") == 1
        assert [(e, d) for e, _, d in carrier.events if e == "key"] == [("key", "7")]
        assert {d for e, _, d in carrier.events if e in ("busy", "rejected", "cancelled")} == {
            "13900000022",
            "13900000044",
            "13900000033",
        }


async def test_wait_for_and_port_errors_are_clear(sip_port: int) -> None:
    async with Carrier(port=sip_port) as carrier:
        with pytest.raises(LabTimeout, match="0 of 1 'busy' events after 0.2 s"):
            await carrier.wait_for("busy", 1, timeout=0.2)
        with pytest.raises(ValueError, match="unknown carrier event"):
            await carrier.wait_for("ringing")
        with pytest.raises(LabError, match=f"UDP port {sip_port} is already in use"):
            await Carrier(port=sip_port).start()
