"""`hotline prompts render` follows `prompts.native_formats`: false removes every prompt's and the
music on hold's G.711 copies (WAV only), true (the default) makes them again from the current WAVs
without synthesising anything; the setting itself accepts only a boolean. The prompts are made
current beforehand (WAVs + render cache), so espeak-ng is never run here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from g711_reference import assert_in_step, copies_absent, telephone_wav
from typer.testing import CliRunner

from hotline.cli import app
from hotline.settings import ConfigError, load_settings
from prompts.catalog import site_catalog
from prompts.render import render_key, render_moh
from prompts.studio import MANIFEST


def config(tmp_path: Path, native: str | None) -> Path:
    path = tmp_path / f"hotline-{native}.yaml"
    extra = "" if native is None else f"prompts:\n  native_formats: {native}\n"
    path.write_text(f"company: X\nlab: true\n{extra}", encoding="utf-8")
    return path


def current_prompts(out: Path) -> dict[str, str]:
    catalog = site_catalog(company="X", agent_ids=[])
    out.mkdir(parents=True)
    for i, pid in enumerate(catalog):
        (out / f"{pid}.wav").write_bytes(telephone_wav(seconds=0.2, freq=300 + 5 * i))
    (out / MANIFEST).write_text(json.dumps({pid: render_key(pid, text)[1] for pid, text in catalog.items()}))
    return catalog


def render(conf: Path, out: Path, moh: Path) -> str:
    args = ["prompts", "render", "--out", str(out), "--moh", str(moh), "--config", str(conf)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_render_switches_between_wav_only_and_native_copies(tmp_path: Path) -> None:
    out, moh = tmp_path / "prompts", tmp_path / "moh"
    catalog = current_prompts(out)
    render_moh(moh, native=True)
    said = render(config(tmp_path, "false"), out, moh)
    assert "(WAV only)" in said and f"'cached': {len(catalog)}" in said
    assert sorted({p.suffix for p in out.iterdir()}) == [".json", ".wav"]
    assert [p.name for p in moh.iterdir()] == ["hotline-melody.wav"]
    said = render(config(tmp_path, None), out, moh)  # the default: native copies
    assert "(WAV + G.711 .alaw/.ulaw)" in said and f"'converted': {len(catalog)}" in said
    for pid in catalog:
        assert_in_step(out / f"{pid}.wav")
    assert_in_step(moh / "hotline-melody.wav")
    said = render(config(tmp_path, "true"), out, moh)
    assert f"'cached': {len(catalog)}" in said and not copies_absent(out / "greeting.wav")


@pytest.mark.parametrize("value", ['"yes"', "1", "[]"])
def test_native_formats_is_a_boolean(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="prompts.native_formats"):
        load_settings(config(tmp_path, value))


def test_native_formats_defaults_to_on(tmp_path: Path) -> None:
    assert load_settings(config(tmp_path, None)).prompts.native_formats is True
    assert load_settings(config(tmp_path, "false")).prompts.native_formats is False
