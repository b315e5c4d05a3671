"""The lab's listening phone without Asterisk: the RTP sink counts what arrives on its UDP port
(real loopback socket), and the listen scenario sends its SDP there."""

from __future__ import annotations

import audioop
import math
import socket
import struct
import xml.etree.ElementTree as ET

import pytest
from polling import until

from lab.agent_phone import AgentPhone
from lab.rtp_sink import RtpSink, rtp_payload
from lab.sipp_process import scenario_path


def rtp(seq: int, payload: bytes, pt: int = 0, *, csrc: int = 0, extension: bytes | None = None) -> bytes:
    first = 0x80 | csrc | (0x10 if extension is not None else 0)
    header = struct.pack("!BBHII", first, pt, seq, seq * 160, 0x1234) + b"\0\0\0\1" * csrc
    if extension is not None:
        header += b"\xbe\xde" + struct.pack("!H", len(extension) // 4) + extension
    return header + payload


def tone(ms: int = 20, amplitude: int = 8000) -> bytes:
    pcm = b"".join(
        struct.pack("<h", int(amplitude * math.sin(2 * math.pi * 440 * i / 8000))) for i in range(8 * ms)
    )
    return audioop.lin2ulaw(pcm, 2)


SILENCE = b"\xff" * 160  # mu-law silence


def test_rtp_payload_reads_the_header_and_refuses_the_rest() -> None:
    assert rtp_payload(rtp(1, b"abc", 8)) == (8, b"abc")
    assert rtp_payload(rtp(1, b"abc", csrc=2)) == (0, b"abc")
    assert rtp_payload(rtp(1, b"abc", extension=b"\1\2\3\4")) == (0, b"abc")
    assert rtp_payload(b"\x80\x00") is None  # short
    assert rtp_payload(b"\x40" + bytes(20)) is None  # version 1
    assert rtp_payload(b"\x90\x00" + bytes(10)) is None  # an extension that is not there


async def test_the_sink_counts_rtp_and_tells_sound_from_silence() -> None:
    async with RtpSink() as sink:
        assert sink.port > 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for seq in range(10):
                s.sendto(rtp(seq, tone()), ("127.0.0.1", sink.port))
            for seq in range(10, 15):
                s.sendto(rtp(seq, SILENCE), ("127.0.0.1", sink.port))
            s.sendto(b"not rtp", ("127.0.0.1", sink.port))
            await until(lambda: sink.packets + sink.not_rtp == 16, 5, "16 datagrams")
    assert (sink.packets, sink.not_rtp, dict(sink.by_payload_type), sink.loud_packets()) == (
        15,
        1,
        {0: 15},
        10,
    )


def test_the_listen_scenario_sends_its_audio_to_the_sink() -> None:
    root = ET.parse(scenario_path("agent_listen.xml")).getroot()
    answers = [
        s.text or ""
        for s in root.iter("send")
        if "SIP/2.0 200 OK" in (s.text or "") and "m=audio" in (s.text or "")
    ]
    assert len(answers) == 1 and "m=audio [rtp_port] RTP/AVP 0 101" in answers[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mode": "listen"}, "needs rtp_port"),
        ({"mode": "listen", "rtp_port": 0}, "needs rtp_port"),
        ({"mode": "answer", "rtp_port": 7000}, "for mode='listen' only"),
        ({"mode": "talk"}, "mode must be"),
    ],
)
def test_a_listening_phone_needs_its_rtp_port(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AgentPhone("1201", "pw1201-x", **kwargs)
    assert AgentPhone("1201", "pw1201-x", mode="listen", rtp_port=7000).rtp_port == 7000
