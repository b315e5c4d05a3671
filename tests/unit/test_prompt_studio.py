"""Studio recordings over prompts: the format told by content, the WAV reader's refusals, the
conversion to 8 kHz mono 16-bit, and the files' layout (override, history, render cache)."""

from __future__ import annotations

import io
import json
import math
import struct
import wave
from pathlib import Path

import pytest
from g711_reference import assert_in_step, copies_absent

from prompts.studio import (
    MANIFEST,
    STUDIO,
    install_override,
    original_of,
    overridden,
    played_file,
    remove_override,
)
from prompts.studio_audio import PCM_SUBFORMAT, UploadRefused, convert, prompt_format, read_wav, sniff

STAMP = "20261202T053000Z"


def pcm_wav(
    rate: int = 16000, channels: int = 1, width: int = 2, seconds: float = 0.5, amp: float = 0.5
) -> bytes:
    frames = bytearray()
    peak = (1 << (8 * width - 1)) - 1
    for i in range(int(rate * seconds)):
        v = int(amp * peak * math.sin(2 * math.pi * 440 * i / rate))
        sample = bytes([v + 128]) if width == 1 else v.to_bytes(width, "little", signed=True)
        frames += sample * channels
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def with_format_chunk(fmt: bytes, data: bytes = b"\0\0" * 800) -> bytes:
    body = (
        b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def extensible(sub: bytes, bits: int = 32) -> bytes:
    block = bits // 8
    return struct.pack("<HHIIHHHHI", 0xFFFE, 1, 8000, 8000 * block, block, bits, 22, bits, 4) + sub


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"RIFF\x10\0\0\0WAVEfmt ", "wav"),
        (b"ID3\x04\0\0\0\0\0\x00" + b"\xff\xfb\x90\x64", "mp3"),  # a tag of size 0, then a frame
        (b"\xff\xfb\x90\x64" + b"\0" * 8, "mp3"),  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz
    ],
)
def test_the_content_tells_the_format(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello.wav",
        b"RIFF\0\0\0\0AVI ",
        b"\xff\xfd\x90\x64" + b"\0" * 8,
        b"OggS\0\x02",
        b"fLaC\0\0\0\x22",
    ],
    ids=["empty", "text", "avi", "layer-ii", "ogg", "flac"],
)
def test_anything_else_is_refused(head: bytes) -> None:
    with pytest.raises(UploadRefused, match="不是 WAV 或 MP3"):
        sniff(head)


def test_float_and_compressed_wavs_are_refused_with_advice() -> None:
    ieee_float = struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32)
    alaw = struct.pack("<HHIIHH", 6, 1, 8000, 8000, 1, 8)
    float_ext = extensible(b"\x03" + PCM_SUBFORMAT[1:])
    for fmt in (ieee_float, alaw, float_ext):
        with pytest.raises(UploadRefused, match="整数 PCM"):
            read_wav(with_format_chunk(fmt))
    assert read_wav(with_format_chunk(extensible(PCM_SUBFORMAT))).width == 4  # extensible PCM is fine


def test_a_wav_without_data_is_refused() -> None:
    with pytest.raises(UploadRefused, match="不完整"):
        read_wav(b"RIFF\x04\0\0\0WAVE")


@pytest.mark.parametrize(
    ("rate", "channels", "width"), [(44100, 2, 2), (48000, 1, 3), (8000, 1, 1), (22050, 2, 4)]
)
def test_every_integer_pcm_becomes_8khz_mono_16_bit_at_the_same_level(
    rate: int, channels: int, width: int
) -> None:
    result = convert(pcm_wav(rate, channels, width, seconds=0.5))
    assert prompt_format(result.wav) == (8000, 1, 16) and result.kind == "wav"
    assert abs(result.seconds - 0.5) < 0.01
    w = read_wav(result.wav)
    peak = max(abs(s) for (s,) in struct.iter_unpack("<h", w.pcm))
    assert 0.6 < peak / 32767 < 0.75  # levelled to -3 dBFS like the rendered prompts (24-bit too)


def test_too_short_too_long_and_silent_are_refused() -> None:
    with pytest.raises(UploadRefused, match="太短"):
        convert(pcm_wav(8000, seconds=0.1))
    with pytest.raises(UploadRefused, match="超过 60 秒"):  # from the header, before decoding
        convert(with_format_chunk(struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16), b"\0\0" * 8000 * 61))
    with pytest.raises(UploadRefused, match="静音"):
        convert(pcm_wav(8000, seconds=1.0, amp=0.0))


def test_an_override_is_installed_and_removed_keeping_the_originals(tmp_path: Path) -> None:
    d = tmp_path / "prompts"
    d.mkdir()
    (d / MANIFEST).write_text(json.dumps({"greeting": "tts:old", "goodbye": "tts:x"}))
    one, two, rendered = (pcm_wav(8000, seconds=0.3, amp=a) for a in (0.2, 0.4, 0.6))
    install_override(d, "greeting", wav=one, original=b"first upload", ext="mp3", stamp=STAMP, native=False)
    assert played_file(d, "greeting").read_bytes() == one and overridden(d) == {"greeting"}
    assert json.loads((d / MANIFEST).read_text()) == {"goodbye": "tts:x"}
    install_override(
        d, "greeting", wav=two, original=b"second upload", ext="wav", stamp="20261203T000000Z", native=False
    )
    assert original_of(d, "greeting") == d / STUDIO / "greeting.wav"
    assert (d / STUDIO / "history" / "greeting-20261203T000000Z.mp3").read_bytes() == b"first upload"
    remove_override(d, "greeting", wav=rendered, render_key="tts:new", stamp="20261204T000000Z", native=False)
    assert played_file(d, "greeting").read_bytes() == rendered and overridden(d) == set()
    assert json.loads((d / MANIFEST).read_text()) == {"goodbye": "tts:x", "greeting": "tts:new"}
    assert sorted(p.name for p in (d / STUDIO / "history").iterdir()) == [
        "greeting-20261203T000000Z.mp3",
        "greeting-20261204T000000Z.wav",
    ]
    assert not [p for p in d.rglob("*.tmp")]  # no staged file left behind
    assert sorted(p.name for p in d.iterdir()) == ["greeting.wav", MANIFEST, STUDIO]  # WAV only


def test_install_replace_and_revert_keep_the_three_files_in_step(tmp_path: Path) -> None:
    d = tmp_path / "prompts"
    one, two, rendered = (pcm_wav(8000, seconds=s, amp=0.5) for s in (0.3, 0.5, 0.4))
    played = played_file(d, "greeting")
    install_override(d, "greeting", wav=one, original=b"first", ext="mp3", stamp=STAMP, native=True)
    assert played.read_bytes() == one
    assert_in_step(played)
    install_override(
        d, "greeting", wav=two, original=b"second", ext="wav", stamp="20261203T000000Z", native=True
    )
    assert played.read_bytes() == two and len(played.with_suffix(".ulaw").read_bytes()) == 4000
    assert_in_step(played)
    remove_override(d, "greeting", wav=rendered, render_key="tts:new", stamp="20261204T000000Z", native=True)
    assert played.read_bytes() == rendered and len(played.with_suffix(".alaw").read_bytes()) == 3200
    assert_in_step(played)
    install_override(
        d, "greeting", wav=one, original=b"third", ext="mp3", stamp="20261205T000000Z", native=False
    )
    assert played.read_bytes() == one and copies_absent(played)  # WAV only: no stale copy left


def test_a_studio_wav_that_cannot_be_copied_installs_nothing(tmp_path: Path) -> None:
    d = tmp_path / "prompts"
    install_override(d, "greeting", wav=pcm_wav(8000), original=b"first", ext="mp3", stamp=STAMP, native=True)
    before = {str(p.relative_to(d)): p.read_bytes() for p in d.rglob("*") if p.is_file()}
    with pytest.raises(ValueError, match="want 8000 Hz mono 16-bit"):
        install_override(
            d, "greeting", wav=pcm_wav(16000), original=b"x", ext="wav", stamp="20261203T000000Z", native=True
        )
    assert {str(p.relative_to(d)): p.read_bytes() for p in d.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("bad", ["../etc/passwd", "Greeting", "a/b", "", "x" * 65])
def test_a_prompt_file_is_named_by_an_id_never_by_a_path(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="not a prompt id"):
        played_file(tmp_path, bad)
