"""G.711 copies of a prompt: the encoder against the standard decoding formulas (and CPython's
audioop while it exists), the three files written, replaced and removed together, a failure while
staging changing none of them, stale copies found and made again, a directory switched both ways."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from g711_reference import DECODE, assert_in_step, copies_absent, quantisation_ok, telephone_wav

from prompts import native
from prompts.g711 import encode
from prompts.native import Ledger, NotTelephoneWav, in_step, sync_dir, sync_native, write_played

EVERY_SAMPLE = struct.pack("<65536h", *range(-32768, 32768))


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_every_16_bit_sample_decodes_back_within_g711_quantisation(law: str) -> None:
    codes = encode(EVERY_SAMPLE, law)
    assert len(codes) == 65536  # one byte per sample
    decoded = [DECODE[law](c) for c in codes]
    assert [s for s, d in zip(range(-32768, 32768), decoded, strict=True) if not quantisation_ok(s, d)] == []
    assert decoded == sorted(decoded)  # the code keeps the order of the samples
    assert len(set(codes)) >= 255  # every code in use (µ-law has two zeros, one of them unreachable)


@pytest.mark.parametrize("law", ["alaw", "ulaw"])
def test_the_codes_are_exactly_audioops_while_python_has_it(law: str) -> None:
    audioop = pytest.importorskip("audioop")
    reference = audioop.lin2alaw if law == "alaw" else audioop.lin2ulaw
    assert encode(EVERY_SAMPLE, law) == reference(EVERY_SAMPLE, 2)


def test_known_codes_of_the_standard() -> None:
    silence = struct.pack("<2h", 0, -1)
    assert encode(silence, "alaw") == bytes([0xD5, 0x55])  # A-law's two zeros (even bits inverted)
    assert encode(silence, "ulaw") == bytes([0xFF, 0x7E])  # µ-law's +0, and -1 rounded to -4
    peaks = struct.pack("<2h", 32767, -32768)
    assert encode(peaks, "alaw") == bytes([0xAA, 0x2A]) and encode(peaks, "ulaw") == bytes([0x80, 0x00])


def test_bad_input_to_the_encoder_is_refused() -> None:
    with pytest.raises(ValueError, match="even number of bytes"):
        encode(b"\0\0\0", "alaw")
    with pytest.raises(ValueError, match="not a G.711 law"):
        encode(b"\0\0", "g729")


def test_a_played_wav_gets_both_copies_with_the_same_samples(tmp_path: Path) -> None:
    wav_path = tmp_path / "greeting.wav"
    write_played(wav_path, telephone_wav(seconds=0.4), native=True)
    assert_in_step(wav_path)
    assert len(wav_path.with_suffix(".alaw").read_bytes()) == 3200  # 0.4 s at 8000 samples/s
    assert in_step(wav_path) and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_replacing_changes_all_three_and_wav_only_removes_the_copies(tmp_path: Path) -> None:
    wav_path = tmp_path / "greeting.wav"
    write_played(wav_path, telephone_wav(freq=440), native=True)
    old_alaw = wav_path.with_suffix(".alaw").read_bytes()
    write_played(wav_path, telephone_wav(freq=700, seconds=0.6), native=True)
    assert_in_step(wav_path) and wav_path.with_suffix(".alaw").read_bytes() != old_alaw
    write_played(wav_path, telephone_wav(freq=300), native=False)
    assert wav_path.read_bytes() == telephone_wav(freq=300) and copies_absent(wav_path)


def test_a_failure_while_staging_changes_none_of_the_three(tmp_path: Path, monkeypatch) -> None:
    wav_path = tmp_path / "greeting.wav"
    write_played(wav_path, telephone_wav(freq=440), native=True)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_staged = native.staged

    def disk_full_at_ulaw(path: Path, data: bytes) -> Path:
        if path.suffix == ".ulaw":
            raise OSError(28, "No space left on device")
        return real_staged(path, data)

    monkeypatch.setattr(native, "staged", disk_full_at_ulaw)
    with pytest.raises(OSError, match="No space"):
        write_played(wav_path, telephone_wav(freq=900), native=True)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp file either


def test_a_wav_that_is_not_8khz_mono_16_bit_gets_no_copies_and_changes_nothing(tmp_path: Path) -> None:
    wav_path = tmp_path / "greeting.wav"
    write_played(wav_path, telephone_wav(), native=True)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    wide = bytearray(telephone_wav())
    struct.pack_into("<II", wide, 24, 16000, 32000)  # the header now says 16 kHz
    for bad in (bytes(wide), b"RIFF....WAVEjunk"):
        with pytest.raises(NotTelephoneWav, match=r"greeting\.wav"):
            write_played(wav_path, bad, native=True)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_copies_left_behind_by_a_crash_are_found_and_made_again(tmp_path: Path) -> None:
    """A crash between the renames leaves the new WAV beside the old copies: the copies are
    checked against the WAV's samples (not their size or age) and made again from it."""
    wav_path = tmp_path / "greeting.wav"
    write_played(wav_path, telephone_wav(freq=440), native=True)
    old_copies = {law: wav_path.with_suffix(f".{law}").read_bytes() for law in DECODE}
    write_played(wav_path, telephone_wav(freq=660), native=False)  # the same length, other samples
    for law, data in old_copies.items():
        wav_path.with_suffix(f".{law}").write_bytes(data)
    assert not in_step(wav_path)
    assert sync_native(wav_path, native=True) is True
    assert_in_step(wav_path)
    assert sync_native(wav_path, native=True) is False  # in step: nothing written
    os.remove(wav_path.with_suffix(".ulaw"))
    assert sync_native(wav_path, native=True) is True and in_step(wav_path)


def test_a_directory_is_switched_between_wav_only_and_native_copies(tmp_path: Path) -> None:
    for name, freq in (("greeting", 440), ("goodbye", 550), ("hotline-melody", 660)):
        write_played(tmp_path / f"{name}.wav", telephone_wav(freq=freq), native=False)
    site_music = tmp_path / "site-song.wav"
    site_music.write_bytes(telephone_wav().replace(b"\x40\x1f\x00\x00", b"\x44\xac\x00\x00", 1))
    done = sync_dir(tmp_path, native=True)
    assert done.changed == ["goodbye", "greeting", "hotline-melody"] and done.skipped == ["site-song.wav"]
    for name in done.changed:
        assert_in_step(tmp_path / f"{name}.wav")
    assert copies_absent(site_music)
    assert sync_dir(tmp_path, native=True).changed == []
    off = sync_dir(tmp_path, native=False)
    assert off.changed == ["goodbye", "greeting", "hotline-melody"]
    assert sorted(p.suffix for p in tmp_path.iterdir() if p.name != Ledger.NAME) == [".wav"] * 4


def test_the_ledger_spares_encoding_only_byte_identical_sets(tmp_path: Path) -> None:
    wav_path = tmp_path / "greeting.wav"
    write_played(wav_path, telephone_wav(freq=440), native=True)
    ledger = Ledger(tmp_path)
    assert sync_native(wav_path, native=True, ledger=ledger) is False
    ledger.save()
    assert Ledger(tmp_path).knows("greeting.wav", [wav_path.read_bytes(), *_copies(wav_path)])
    wav_path.with_suffix(".ulaw").write_bytes(b"\xff" * len(wav_path.with_suffix(".ulaw").read_bytes()))
    assert sync_native(wav_path, native=True, ledger=Ledger(tmp_path)) is True
    assert_in_step(wav_path)
    (tmp_path / Ledger.NAME).write_text("not json")  # a broken ledger only costs time
    assert sync_native(wav_path, native=True, ledger=Ledger(tmp_path)) is False
    wav_path.with_suffix(".alaw").unlink()
    assert sync_native(wav_path, native=True, ledger=Ledger(tmp_path)) is True and in_step(wav_path)


def _copies(wav_path: Path) -> list[bytes]:
    return [wav_path.with_suffix(f".{law}").read_bytes() for law in DECODE]
