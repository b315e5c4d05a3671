"""Turn a WAV file into a pcap of G.711 mu-law RTP that sipp's `play_pcap_audio` can send.

The lab caller uses it to speak (a voice message, a fault description). 20 ms packets, PT 0,
Ethernet/IPv4/UDP framing; sipp rewrites the addresses and ports when it plays the file.
"""

from __future__ import annotations

import audioop  # deprecated in 3.13; Python 3.11 is the project's target
import struct
import wave
from pathlib import Path

FRAME = 160  # samples per 20 ms at 8 kHz


def _ip_checksum(header: bytes) -> int:
    total: int = sum(struct.unpack("!10H", header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _packet(payload: bytes, seq: int, ts: int) -> bytes:
    rtp = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF, 0x1A2B3C4D) + payload
    udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])
    )
    ip = ip[:10] + struct.pack("!H", _ip_checksum(ip)) + ip[12:]
    return b"\x00" * 12 + b"\x08\x00" + ip + udp


def wav_to_pcap(wav_path: Path, pcap_path: Path) -> float:
    """Write `pcap_path`; returns the audio length in seconds. The WAV must be 8 kHz mono 16-bit."""
    with wave.open(str(wav_path), "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (8000, 1, 2):
            raise ValueError(
                f"{wav_path}: need 8 kHz mono 16-bit, got {w.getframerate()} Hz "
                f"{w.getnchannels()} ch {8 * w.getsampwidth()} bit"
            )
        pcm = w.readframes(w.getnframes())
    ulaw = audioop.lin2ulaw(pcm, 2)
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    frames = len(ulaw) // FRAME
    for i in range(frames):
        pkt = _packet(ulaw[i * FRAME : (i + 1) * FRAME], i, i * FRAME)
        usec = i * 20000
        out.append(struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(pkt), len(pkt)) + pkt)
    pcap_path.write_bytes(b"".join(out))
    return frames * FRAME / 8000
