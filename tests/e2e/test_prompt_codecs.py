"""Prompts in the trunk's codec, in the lab Asterisk (prompts.native_formats, on in the lab): every
prompt Asterisk reads has its .alaw / .ulaw beside the WAV, holding the WAV's samples; music on hold
(musiconhold.conf, mode = files) counts hotline-melody.wav/.alaw/.ulaw as one song, not three.
That a call plays the copy without transcoding is shown by test_prompt_upload.py (`Playing
'.../greeting.ulaw'` for the lab caller's µ-law channel)."""

from __future__ import annotations

import pytest
from g711_reference import assert_in_step

from hotline.settings import load_settings
from prompts.native import in_step

pytestmark = pytest.mark.e2e


def test_every_prompt_asterisk_reads_has_its_copies_in_step(hotline_lab) -> None:
    asterisk, cfg = hotline_lab
    settings = load_settings(cfg)
    assert settings.prompts.native_formats
    prompts = asterisk.host_path(settings.asterisk.prompts_dir)
    wavs = sorted(prompts.glob("*.wav"))
    assert len(wavs) > 100
    assert [w.name for w in wavs if not in_step(w)] == []
    assert_in_step(prompts / "greeting.wav")  # against the standard G.711 decoding, sample by sample
    melody = asterisk.host_path(settings.asterisk.moh_dir) / "hotline-melody.wav"
    assert_in_step(melody)


def test_music_on_hold_plays_the_melody_as_one_song(hotline_lab) -> None:
    asterisk, cfg = hotline_lab
    moh_dir = load_settings(cfg).asterisk.moh_dir.rstrip("/")
    listed = [
        line.split(":", 1)[1].strip()
        for line in asterisk.cli("moh show files").splitlines()
        if "File:" in line
    ]
    assert listed == [f"{moh_dir}/hotline-melody"], listed  # one name, no extension: the format per call
