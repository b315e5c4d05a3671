"""The prompts page's file work: blocking, so it runs in the console's offload pool (admin_kit.offload).

Everything happens in the prompts directory as the daemon sees it (asterisk.prompts_host_dir, else
asterisk.prompts_dir) with the layout of prompts.studio; conversion is prompts.studio_audio,
synthesis is prompts.render (espeak-ng, as `hotline prompts render`). `native`
(prompts.native_formats): every WAV written also gets its G.711 copies (.alaw, .ulaw), staged with
it; False: WAV only, the copies removed.
"""

from __future__ import annotations

import hashlib
import wave
from dataclasses import dataclass
from pathlib import Path

from hotline.store.prompt_overrides import PromptOverride
from prompts.catalog import RECORDED_DIR
from prompts.native import write_played
from prompts.render import OUTCOMES, render_all, render_bytes, render_key
from prompts.studio import (
    install_override,
    note_render,
    original_of,
    overridden,
    played_file,
    remove_override,
)
from prompts.studio_audio import Converted, convert

SOURCE_LABELS = {"studio": "录音室录音", "recorded": "随附录音", "synthesised": "语音合成"}


@dataclass(frozen=True)
class PromptView:
    prompt_id: str
    text: str
    source: str  # studio | recorded | synthesised (SOURCE_LABELS)
    present: bool  # the file Asterisk plays exists
    seconds: float | None  # its length
    override: PromptOverride | None  # the console's record of the studio upload
    file_matches: bool | None  # with a record: the played file is the one uploaded

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


@dataclass(frozen=True)
class Upload:
    converted: Converted
    sha256: str  # of the converted WAV


def sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _seconds(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error):
        return None


def survey(
    prompts_dir: Path,
    catalog: dict[str, str],
    records: dict[str, PromptOverride],
    recorded: Path = RECORDED_DIR,
) -> list[PromptView]:
    """Every catalog prompt with where its file comes from and whether it is there."""
    studio = overridden(prompts_dir)
    views = []
    for pid, text in catalog.items():
        played = played_file(prompts_dir, pid)
        record = records.get(pid)
        if pid in studio:
            source = "studio"
        else:
            source = "recorded" if (recorded / f"{pid}.wav").exists() else "synthesised"
        matches = None if record is None else sha256_of(played) == record.sha256
        views.append(PromptView(pid, text, source, played.exists(), _seconds(played), record, matches))
    return views


def prepare_upload(data: bytes) -> Upload:
    """The upload checked and converted (prompts.studio_audio.UploadRefused if it is not usable)."""
    converted = convert(data)
    return Upload(converted, hashlib.sha256(converted.wav).hexdigest())


def install(
    prompts_dir: Path, prompt_id: str, upload: Upload, original: bytes, stamp: str, *, native: bool
) -> None:
    install_override(
        prompts_dir,
        prompt_id,
        wav=upload.converted.wav,
        original=original,
        ext=upload.converted.kind,
        stamp=stamp,
        native=native,
    )


def revert(
    prompts_dir: Path, prompt_id: str, text: str, stamp: str, recorded: Path = RECORDED_DIR, *, native: bool
) -> str:
    """Render `prompt_id` from the catalog again and end its override; the new file's sha256.
    Rendering comes first: if it fails (espeak-ng missing) the override stays as it was."""
    wav = render_bytes(prompt_id, text, recorded)
    _, key = render_key(prompt_id, text, recorded)
    remove_override(prompts_dir, prompt_id, wav=wav, render_key=key, stamp=stamp, native=native)
    return hashlib.sha256(wav).hexdigest()


def render_one(
    prompts_dir: Path, prompt_id: str, text: str, recorded: Path = RECORDED_DIR, *, native: bool
) -> str:
    """Make one (not overridden) prompt again even if its text did not change; 'recorded' or
    'generated'. ValueError for an overridden one (revert it instead)."""
    if original_of(prompts_dir, prompt_id) is not None:
        raise ValueError(f"{prompt_id} is overridden by a studio recording")
    how, key = render_key(prompt_id, text, recorded)
    wav = render_bytes(prompt_id, text, recorded)
    write_played(played_file(prompts_dir, prompt_id), wav, native=native)
    note_render(prompts_dir, prompt_id, key)
    return how


def render_changed(
    prompts_dir: Path, catalog: dict[str, str], recorded: Path = RECORDED_DIR, *, native: bool
) -> dict[str, int]:
    """`hotline prompts render` for the catalog: what changed or is missing; counts per outcome."""
    result = render_all(catalog, prompts_dir, recorded, native=native)
    counts = dict.fromkeys(OUTCOMES, 0)
    for how in result.values():
        counts[how] += 1
    return counts
