"""The carrier: the called customers behind the outbound trunk, for the outbound dialer's tests.

One long-running sipp UAS (scenarios/carrier_uas.xml) on the trunk's contact port (5070 in the
lab) plays every customer at once; the called number (user part of the Request-URI) says how:
  ...1K (K = 1-9)  180, answers after `answer_after` s, presses K (RFC 4733) `key_after` s
                   after the ACK, then waits for Asterisk's BYE (BYE itself `hangup_after` s
                   after the key if none came)
  ...2X            486 Busy Here
  ...3X            180 and never answers (Asterisk's CANCEL gets 200 + 487)
  ...4X            603 Decline
  anything else    404 Not Found
The key is sent as RTP telephone-event on `dtmf_payload_type` (101: the type Asterisk offers),
from pcaps written here and played with play_pcap_audio: sipp's own play_dtmf always sends PT
96, while on calls it originates Asterisk takes only the type it offered (it maps the answer's
types for sending only). Raw sockets, so answered calls need root.

    async with Carrier(port=5070, key_after=4.0) as carrier:
        ...   # the dialer calls 13800000013 (answers, presses 3) and 13800000020 (busy)
        await carrier.wait_for("key", 1, timeout=20)
"""

from __future__ import annotations

import asyncio
import shutil
import struct
import tempfile
from pathlib import Path
from types import TracebackType

from lab.errors import LabError, LabTimeout
from lab.procs import POLL
from lab.sipp_process import SippProcess, scenario_path

SCENARIO = "carrier_uas.xml"
EVENTS = (
    "invite",
    "answered",
    "key",
    "remote_hangup",
    "local_hangup",
    "busy",
    "cancelled",
    "rejected",
    "not_found",
)
WARMUP = 20  # 20 ms packets of PCMU silence before the key: Asterisk's strict RTP learns the source
SSRC = 0x4C414231


def _frame(rtp: bytes) -> bytes:
    """Ethernet + IPv4 + UDP around an RTP packet (sipp rewrites addresses and ports)."""
    udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])
    )
    total = sum(struct.unpack("!10H", ip))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    ip = ip[:10] + struct.pack("!H", ~total & 0xFFFF) + ip[12:]
    return b"\x00" * 12 + b"\x08\x00" + ip + udp


def dtmf_pcap(event: int, payload_type: int = 101, tone_ms: int = 200) -> bytes:
    """A pcap for play_pcap_audio: 400 ms of PCMU silence, then RFC 4733 `event` (0-15) every
    20 ms for `tone_ms` (marker on the first packet), then the 3 end-of-event packets."""
    if not 0 <= event <= 15 or not 96 <= payload_type <= 127 or not 40 <= tone_ms <= 2000:
        raise ValueError(f"bad DTMF pcap: event {event}, payload type {payload_type}, {tone_ms} ms")
    packets = [(i * 20, 0, i == 0, i * 160, b"\xff" * 160) for i in range(WARMUP)]
    start = WARMUP * 20
    steps = tone_ms // 20
    for i in range(steps + 3):
        end = i >= steps
        duration = min(i + 1, steps) * 160
        body = struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)
        packets.append((start + i * 20, payload_type, i == 0, start * 8, body))
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for seq, (ms, pt, marker, ts, body) in enumerate(packets):
        rtp = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq, ts, SSRC) + body
        pkt = _frame(rtp)
        out.append(struct.pack("<IIII", ms // 1000, ms % 1000 * 1000, len(pkt), len(pkt)) + pkt)
    return b"".join(out)


class Carrier:
    """`async with Carrier(port=5070, key_after=4.0) as carrier:` plays the called customers."""

    def __init__(
        self,
        port: int = 5070,
        key_after: float = 4.0,
        *,
        answer_after: float = 1.0,
        hangup_after: float = 30.0,
        dtmf_payload_type: int = 101,
        tone_ms: int = 200,
    ) -> None:
        for name, value in (("key_after", key_after), ("answer_after", answer_after)):
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")
        if hangup_after <= 0:
            raise ValueError(f"hangup_after must be positive, got {hangup_after!r}")
        dtmf_pcap(1, dtmf_payload_type, tone_ms)  # validates both
        self.sip_port = port
        self.key_after = key_after
        self.answer_after = answer_after
        self.hangup_after = hangup_after
        self.dtmf_payload_type = dtmf_payload_type
        self.tone_ms = tone_ms
        self._uas: SippProcess | None = None
        self._workdir: Path | None = None

    @property
    def port(self) -> int:
        """The SIP port the carrier listens on."""
        return self._running().ports.sip

    @property
    def events(self) -> list[tuple[str, str, str]]:
        """(event, call-id, detail) triples logged so far, oldest first; detail is the called
        number (invite, answered, busy, cancelled, rejected, not_found), the digit (key) or ''
        (remote_hangup: Asterisk's BYE, local_hangup: the carrier's BYE)."""
        if self._uas is None:
            return []
        found = []
        for event, rest in self._uas.events():
            call_id, _, detail = rest.partition(" ")
            found.append((event, call_id, detail.strip()))
        return found

    def count(self, event: str) -> int:
        """How many times `event` (see `events`) happened."""
        return sum(1 for name, _, _ in self.events if name == event)

    async def wait_for(self, event: str, count: int = 1, timeout: float = 10.0) -> list[tuple[str, str, str]]:
        """Wait until `event` happened `count` times; returns those events. LabTimeout on the deadline."""
        if event not in EVENTS:
            raise ValueError(f"unknown carrier event {event!r}; one of {', '.join(EVENTS)}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [e for e in self.events if e[0] == event]
            if len(found) >= count:
                return found
            self._running()
            if loop.time() > deadline:
                raise LabTimeout(
                    f"carrier: {len(found)} of {count} {event!r} events after {timeout} s; "
                    f"events so far: {self.events}"
                )
            await asyncio.sleep(POLL)

    async def __aenter__(self) -> Carrier:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close(keep_files=exc is not None)

    async def start(self) -> None:
        """Write the DTMF pcaps next to a copy of the scenario and start the UAS."""
        if self._uas is not None:
            raise LabError(f"carrier on port {self.sip_port} is already started")
        self._workdir = Path(tempfile.mkdtemp(prefix="lab-carrier-"))
        scenario = self._workdir / SCENARIO
        shutil.copyfile(scenario_path(SCENARIO), scenario)
        for digit in range(1, 10):
            (self._workdir / f"dtmf{digit}.pcap").write_bytes(
                dtmf_pcap(digit, self.dtmf_payload_type, self.tone_ms)
            )
        args = ["-key", "dtmf_pt", str(self.dtmf_payload_type)]
        for name, seconds in (
            ("answer_ms", self.answer_after),
            ("key_ms", self.key_after),
            ("hangup_ms", self.hangup_after),
        ):
            args += ["-set", name, str(max(1, round(seconds * 1000)))]
        try:
            self._uas = await SippProcess.start(
                scenario, args, workdir=self._workdir, name="carrier", sip_port=self.sip_port
            )
            self._uas.check_running()
        except LabError as exc:
            await self.close()
            raise LabError(f"carrier could not start on UDP {self.sip_port}: {exc}") from exc

    async def close(self, *, keep_files: bool = False) -> None:
        """Stop the UAS and remove its files (kept with keep_files, for a failed test)."""
        if self._uas is not None:
            await self._uas.stop()
            self._uas = None
        if self._workdir is not None and not keep_files:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _running(self) -> SippProcess:
        if self._uas is None:
            raise LabError(f"carrier on port {self.sip_port} is not started")
        self._uas.check_running()
        return self._uas
