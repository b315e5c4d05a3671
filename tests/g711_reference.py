"""The standard G.711 decoding formulas (ITU-T G.711 as in Sun's reference g711.c), independent of
prompts.g711, and helpers to check a prompt's .alaw / .ulaw against its WAV."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path


def alaw_to_linear(code: int) -> int:
    a = code ^ 0x55
    t = (a & 0x0F) << 4
    seg = (a & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t


def ulaw_to_linear(code: int) -> int:
    u = ~code & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return (0x84 - t) if u & 0x80 else (t - 0x84)


DECODE = {"alaw": alaw_to_linear, "ulaw": ulaw_to_linear}


def quantisation_ok(sample: int, decoded: int) -> bool:
    """G.711 keeps 4 bits of mantissa per segment: the error is at most half a step, under 1/16
    of the magnitude (plus the finest step near zero)."""
    return abs(decoded - sample) <= 16 + abs(sample) // 16


def telephone_wav(seconds: float = 0.4, freq: float = 440.0, amp: float = 0.6) -> bytes:
    """8 kHz mono 16-bit PCM: a sine plus a slow ramp, so every segment of both laws is used."""
    n = int(8000 * seconds)
    samples = [
        int(max(-32768, min(32767, amp * 32767 * math.sin(2 * math.pi * freq * i / 8000) * (i + 1) / n)))
        for i in range(n)
    ]
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack(f"<{n}h", *samples))
    return out.getvalue()


def wav_samples(path: Path) -> list[int]:
    with wave.open(str(path), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        pcm = w.readframes(w.getnframes())
    return [s for (s,) in struct.iter_unpack("<h", pcm)]


def assert_in_step(wav_path: Path) -> None:
    """Both copies exist, one byte per WAV sample, and decode back to the WAV's samples within
    G.711 quantisation."""
    samples = wav_samples(wav_path)
    for law, decode in DECODE.items():
        codes = wav_path.with_suffix(f".{law}").read_bytes()
        assert len(codes) == len(samples), (law, len(codes), len(samples))
        bad = [
            (s, decode(c)) for s, c in zip(samples, codes, strict=True) if not quantisation_ok(s, decode(c))
        ]
        assert bad == [], (law, bad[:5])


def copies_absent(wav_path: Path) -> bool:
    return not any(wav_path.with_suffix(f".{law}").exists() for law in DECODE)
