"""Studio recordings that override a prompt (uploaded in the console), in the prompts directory.

    <prompts dir>/<id>.wav                         what Asterisk plays (8 kHz mono 16-bit PCM)
    <prompts dir>/<id>.alaw, <id>.ulaw             its G.711 copies (prompts.native), unless
                                                   prompts.native_formats is false
    <prompts dir>/studio/<id>.wav|.mp3             the uploaded original of the override in force;
                                                   its presence marks <id> as overridden, so
                                                   `render_all` (`hotline prompts render`) leaves
                                                   <id>.wav (and its copies) alone
    <prompts dir>/studio/history/<id>-<stamp>.<ext>  originals replaced or reverted, kept for audit

The originals live in a sub-directory on purpose: Asterisk picks among `<id>.*` of the prompts
directory by format, so an `<id>.mp3` beside `<id>.wav` could be what a caller hears.
Every file is written to a temporary name in its directory and renamed over the old one, so a call
never reads half a file; the data (the WAV, its copies, the original) is written and synced before
anything is renamed, so a full disk leaves the override as it was.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .atomic import atomic_write, staged
from .native import commit_played, discard, stage_played

__all__ = ["atomic_write"]  # re-exported: prompts.render and the console write through it

STUDIO = "studio"
HISTORY = "history"
ORIGINAL_EXTS = ("wav", "mp3")
MANIFEST = "manifest.json"  # the render cache (prompts.render): id -> what the file was made from
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
_STAMP = re.compile(r"[0-9]{8}T[0-9]{6}Z")


def check_id(prompt_id: str) -> str:
    """A prompt id as the catalog spells them (never a path); ValueError otherwise."""
    if not _ID.fullmatch(prompt_id):
        raise ValueError(f"not a prompt id: {prompt_id!r}")
    return prompt_id


def played_file(prompts_dir: Path, prompt_id: str) -> Path:
    """The file Asterisk plays for `prompt_id` (it asks for `<prompts_dir>/<id>`, no extension)."""
    return prompts_dir / f"{check_id(prompt_id)}.wav"


def original_of(prompts_dir: Path, prompt_id: str) -> Path | None:
    """The kept original of the override in force for `prompt_id`, or None (not overridden)."""
    check_id(prompt_id)
    for ext in ORIGINAL_EXTS:
        path = prompts_dir / STUDIO / f"{prompt_id}.{ext}"
        if path.is_file():
            return path
    return None


def overridden(prompts_dir: Path) -> set[str]:
    """The ids with a studio override in force."""
    folder = prompts_dir / STUDIO
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.iterdir() if p.is_file() and p.suffix[1:] in ORIGINAL_EXTS}


def _retire(prompts_dir: Path, prompt_id: str, stamp: str) -> None:
    """Move the override's original (if any) to the history folder."""
    old = original_of(prompts_dir, prompt_id)
    if old is not None:
        history = prompts_dir / STUDIO / HISTORY
        history.mkdir(parents=True, exist_ok=True)
        os.replace(old, history / f"{prompt_id}-{stamp}{old.suffix}")


def note_render(prompts_dir: Path, prompt_id: str, key: str | None) -> None:
    """Set (or with None drop) the render cache's entry of `prompt_id`."""
    path = prompts_dir / MANIFEST
    manifest = json.loads(path.read_text()) if path.exists() else {}
    if key is None:
        if manifest.pop(prompt_id, None) is None:
            return
    else:
        manifest[prompt_id] = key
    atomic_write(path, json.dumps(manifest, indent=1, sort_keys=True).encode())


def install_override(
    prompts_dir: Path,
    prompt_id: str,
    *,
    wav: bytes,
    original: bytes,
    ext: str,
    stamp: str,
    native: bool = True,
) -> None:
    """Make `wav` what Asterisk plays for `prompt_id` (with `native` also as .alaw / .ulaw, else
    WAV only), keeping `original` (its upload) beside; a previous override's original goes to the
    history folder. `stamp`: 20261202T053000Z. Everything is staged before the first rename."""
    if ext not in ORIGINAL_EXTS or not _STAMP.fullmatch(stamp):
        raise ValueError(f"bad original extension {ext!r} or stamp {stamp!r}")
    kept = prompts_dir / STUDIO / f"{prompt_id}.{ext}"
    played = stage_played(played_file(prompts_dir, prompt_id), wav, native=native)
    try:
        kept_tmp = staged(kept, original)
        try:
            _retire(prompts_dir, prompt_id, stamp)
            os.replace(kept_tmp, kept)
        finally:
            kept_tmp.unlink(missing_ok=True)
        commit_played(played, native=native)
    finally:
        discard(played)
    note_render(prompts_dir, prompt_id, None)


def remove_override(
    prompts_dir: Path, prompt_id: str, *, wav: bytes, render_key: str, stamp: str, native: bool = True
) -> None:
    """End the override of `prompt_id`: `wav` (rendered again from the catalog, `render_key` its
    cache key) is played from now on, with its .alaw / .ulaw if `native`; the original goes to
    the history folder."""
    if not _STAMP.fullmatch(stamp):
        raise ValueError(f"bad stamp {stamp!r}")
    played = stage_played(played_file(prompts_dir, prompt_id), wav, native=native)
    try:
        _retire(prompts_dir, prompt_id, stamp)
        commit_played(played, native=native)
    finally:
        discard(played)
    note_render(prompts_dir, prompt_id, render_key)
