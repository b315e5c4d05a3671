"""`render_all` / `render_moh` with the G.711 copies: made with every prompt, "cached" only when all
three files are up to date, copies made again from a current WAV ("converted"), removed for WAV
only, an overridden prompt's copies kept in step; the music on hold as one set of three files.
Recorded prompts (prompts/recorded/<id>.wav) stand in for espeak-ng, which these tests never run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from g711_reference import DECODE, assert_in_step, copies_absent, telephone_wav

from prompts.native import Ledger
from prompts.render import MOH_FILE, RenderError, render_all, render_moh
from prompts.studio import MANIFEST, STUDIO

CATALOG = {"greeting": "您好", "goodbye": "再见", "please_hold": "请稍候"}


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    folder = tmp_path / "recorded"
    folder.mkdir()
    for i, pid in enumerate(CATALOG):
        (folder / f"{pid}.wav").write_bytes(telephone_wav(seconds=0.3 + 0.1 * i, freq=300 + 100 * i))
    return folder


def files(d: Path) -> dict[str, bytes]:
    """The files Asterisk may play and the render cache (not the ledger of checked copies)."""
    return {p.name: p.read_bytes() for p in d.iterdir() if p.is_file() and p.name != Ledger.NAME}


def test_every_prompt_is_rendered_with_both_copies_and_then_cached(tmp_path: Path, recorded: Path) -> None:
    out = tmp_path / "prompts"
    assert render_all(CATALOG, out, recorded, native=True) == dict.fromkeys(CATALOG, "recorded")
    for pid in CATALOG:
        assert_in_step(out / f"{pid}.wav")
    before = files(out)
    assert render_all(CATALOG, out, recorded, native=True) == dict.fromkeys(CATALOG, "cached")
    assert files(out) == before


def test_a_missing_or_stale_copy_is_made_again_from_the_cached_wav(tmp_path: Path, recorded: Path) -> None:
    """Also when the ledger lists the set as checked: a changed byte changes its digest."""
    out = tmp_path / "prompts"
    render_all(CATALOG, out, recorded, native=True)
    render_all(CATALOG, out, recorded, native=True)
    assert sorted(json.loads((out / Ledger.NAME).read_text())) == sorted(f"{pid}.wav" for pid in CATALOG)
    wav_before = (out / "greeting.wav").read_bytes()
    (out / "greeting.ulaw").unlink()
    stale = bytearray((out / "goodbye.alaw").read_bytes())
    stale[100] ^= 0x01  # one sample off, the same size
    (out / "goodbye.alaw").write_bytes(bytes(stale))
    result = render_all(CATALOG, out, recorded, native=True)
    assert result == {"greeting": "converted", "goodbye": "converted", "please_hold": "cached"}
    assert (out / "greeting.wav").read_bytes() == wav_before  # not synthesised again
    assert_in_step(out / "greeting.wav")
    assert_in_step(out / "goodbye.wav")


def test_wav_only_removes_the_copies_and_native_brings_them_back(tmp_path: Path, recorded: Path) -> None:
    out = tmp_path / "prompts"
    render_all(CATALOG, out, recorded, native=True)
    assert render_all(CATALOG, out, recorded, native=False) == dict.fromkeys(CATALOG, "cached")
    assert sorted(files(out)) == sorted([MANIFEST, *(f"{pid}.wav" for pid in CATALOG)])
    assert render_all(CATALOG, out, recorded, native=True) == dict.fromkeys(CATALOG, "converted")
    for pid in CATALOG:
        assert_in_step(out / f"{pid}.wav")


def test_a_changed_recording_replaces_all_three(tmp_path: Path, recorded: Path) -> None:
    out = tmp_path / "prompts"
    render_all(CATALOG, out, recorded, native=True)
    old = {law: (out / f"greeting.{law}").read_bytes() for law in DECODE}
    (recorded / "greeting.wav").write_bytes(telephone_wav(seconds=0.7, freq=880))
    assert render_all(CATALOG, out, recorded, native=True)["greeting"] == "recorded"
    assert_in_step(out / "greeting.wav")
    assert all((out / f"greeting.{law}").read_bytes() != data for law, data in old.items())


def test_an_overridden_prompt_keeps_its_wav_and_gets_its_copies_in_step(
    tmp_path: Path, recorded: Path
) -> None:
    out = tmp_path / "prompts"
    (out / STUDIO).mkdir(parents=True)
    (out / STUDIO / "greeting.mp3").write_bytes(b"kept original")
    studio_wav = telephone_wav(seconds=0.9, freq=520)
    (out / "greeting.wav").write_bytes(studio_wav)  # installed while native_formats was false
    result = render_all(CATALOG, out, recorded, native=True)
    assert result["greeting"] == "studio" and (out / "greeting.wav").read_bytes() == studio_wav
    assert_in_step(out / "greeting.wav")
    render_all(CATALOG, out, recorded, native=False)
    assert (out / "greeting.wav").read_bytes() == studio_wav and copies_absent(out / "greeting.wav")
    (out / "greeting.wav").write_bytes(b"not a wav")
    with pytest.raises(RenderError, match="studio recording in force"):
        render_all(CATALOG, out, recorded, native=True)
    assert "greeting" not in json.loads((out / MANIFEST).read_text())


def test_the_music_on_hold_is_one_set_of_three_files(tmp_path: Path) -> None:
    moh = tmp_path / "moh"
    melody = render_moh(moh, native=True)
    assert melody == moh / MOH_FILE
    assert sorted(files(moh)) == ["hotline-melody.alaw", "hotline-melody.ulaw", "hotline-melody.wav"]
    assert_in_step(melody)
    assert len((moh / "hotline-melody.alaw").read_bytes()) == 32000  # the 4 s loop at 8 kHz
    wav = melody.read_bytes()
    render_moh(moh, native=False)
    assert files(moh) == {"hotline-melody.wav": wav}
    render_moh(moh, native=True)
    assert_in_step(melody)
    melody.write_bytes(telephone_wav().replace(b"\x40\x1f\x00\x00", b"\x80\x3e\x00\x00", 1))  # 16 kHz
    with pytest.raises(RenderError, match="music on hold: .*want 8000 Hz"):
        render_moh(moh, native=True)
