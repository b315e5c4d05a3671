"""An RTP sink for the lab: a UDP socket on loopback that counts the RTP a phone is sent.

sipp cannot count the RTP it receives, so a lab phone that must prove it heard something (the
supervisor's phone listening to an agent's call) puts this sink's port in its SDP
(`AgentPhone(..., mode="listen", rtp_port=sink.port)`): Asterisk then sends the audio here.

    async with RtpSink() as sink:
        ...
        sink.packets          # RTP packets received (version 2, header complete)
        sink.by_payload_type  # {0: n} for G.711 mu-law, 8 for A-law
        sink.loud_packets()   # G.711 packets carrying sound (not silence)
"""

from __future__ import annotations

import asyncio
import audioop  # deprecated in 3.13; Python 3.11 is the project's target
from collections import Counter
from types import TracebackType

HEADER = 12
G711 = {0: audioop.ulaw2lin, 8: audioop.alaw2lin}  # payload type -> decoder to 16-bit linear
LOUD_RMS = 300  # a 20 ms frame above this is sound (silence and comfort noise stay far below)


def rtp_payload(datagram: bytes) -> tuple[int, bytes] | None:
    """(payload type, payload) of an RTP packet, None for anything else (RFC 3550 header, CSRC
    list, header extension and padding skipped)."""
    if len(datagram) < HEADER or datagram[0] >> 6 != 2:
        return None
    start = HEADER + 4 * (datagram[0] & 0x0F)
    if datagram[0] & 0x10:  # header extension: 4 bytes, then its length in 32-bit words
        if len(datagram) < start + 4:
            return None
        start += 4 + 4 * int.from_bytes(datagram[start + 2 : start + 4], "big")
    end = len(datagram) - (datagram[-1] if datagram[0] & 0x20 else 0)
    if start > end:
        return None
    return datagram[1] & 0x7F, datagram[start:end]


class RtpSink(asyncio.DatagramProtocol):
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.packets = 0
        self.not_rtp = 0
        self.by_payload_type: Counter[int] = Counter()
        self._loud = 0
        self._transport: asyncio.DatagramTransport | None = None

    async def __aenter__(self) -> RtpSink:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=(self.host, 0))
        self._transport = transport
        self.port = transport.get_extra_info("sockname")[1]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        found = rtp_payload(data)
        if found is None:
            self.not_rtp += 1
            return
        payload_type, payload = found
        self.packets += 1
        self.by_payload_type[payload_type] += 1
        decode = G711.get(payload_type)
        if decode is not None and payload and audioop.rms(decode(payload, 2), 2) > LOUD_RMS:
            self._loud += 1

    def loud_packets(self) -> int:
        """G.711 packets whose audio is louder than silence (someone speaking)."""
        return self._loud
