"""G.711 A-law and µ-law encoding of 16-bit linear PCM, in pure Python (no numpy, no audioop).

Why not a library: `audioop` (what pydub uses) is deprecated and gone from Python 3.13; ffmpeg
would be a second hard dependency of rendering and a process per file; numpy is not a dependency.
G.711 is a fixed 8-bit code per sample, so one 65,536-entry table per law (built once, on first
use) turns any 16-bit sample into its code. The tables follow ITU-T G.711 as Sun's reference
`g711.c` (and CPython's audioop, Asterisk's `AST_LIN2A` / `AST_LIN2MU`) compute it: A-law from the
top 13 bits, µ-law from the top 14 bits with the 0x84 bias and clipping at 8159.

The output is headerless, one byte per sample: what Asterisk's format_pcm reads as `.alaw` /
`.ulaw` (8 kHz implied), so a G.711 call plays it without any transcoding.
"""

from __future__ import annotations

import sys
from array import array
from functools import cache

_A_SEG_END = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)
_U_SEG_END = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_U_BIAS = 0x84
_U_CLIP = 8159


def _segment(value: int, ends: tuple[int, ...]) -> int:
    for seg, end in enumerate(ends):
        if value <= end:
            return seg
    return len(ends)


def alaw_code(sample: int) -> int:
    """The A-law byte of one signed 16-bit sample (-32768..32767)."""
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    seg = _segment(value, _A_SEG_END)
    if seg >= 8:
        return 0x7F ^ mask
    mantissa = (value >> 1) if seg < 2 else (value >> seg)
    return ((seg << 4) | (mantissa & 0x0F)) ^ mask


def ulaw_code(sample: int) -> int:
    """The µ-law byte of one signed 16-bit sample (-32768..32767)."""
    value = sample >> 2
    if value < 0:
        value, mask = -value, 0x7F
    else:
        mask = 0xFF
    value = min(value, _U_CLIP) + (_U_BIAS >> 2)
    seg = _segment(value, _U_SEG_END)
    if seg >= 8:
        return 0x7F ^ mask
    return ((seg << 4) | ((value >> (seg + 1)) & 0x0F)) ^ mask


@cache
def _table(law: str) -> list[int]:
    """Code of every sample, indexed by the sample's unsigned 16-bit pattern (a list: indexing
    it is faster than indexing bytes, which makes a new int each time)."""
    code = alaw_code if law == "alaw" else ulaw_code
    return [code(u - 0x10000 if u & 0x8000 else u) for u in range(0x10000)]


def encode(pcm: bytes, law: str) -> bytes:
    """Little-endian signed 16-bit mono PCM (a WAV's data) as `law` ('alaw' or 'ulaw'): one byte
    per sample. ValueError for another law or an odd number of bytes."""
    if law not in ("alaw", "ulaw"):
        raise ValueError(f"not a G.711 law: {law!r} (alaw or ulaw)")
    if len(pcm) % 2:
        raise ValueError(f"16-bit PCM has an even number of bytes, got {len(pcm)}")
    samples = array("H")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    return bytes(map(_table(law).__getitem__, samples))
