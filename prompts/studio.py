"""Studio recordings that override a prompt (uploaded in the console), in the prompts directory.

    <prompts dir>/<id>.wav                         what Asterisk plays (8 kHz mono 16-bit PCM)
    <prompts dir>/studio/<id>.wav|.mp3             the uploaded original of the override in force;
                                                   its presence marks <id> as overridden, so
                                                   `render_all` (`hotline prompts render`) leaves
                                                   <id>.wav alone
    <prompts dir>/studio/history/<id>-<stamp>.<ext>  originals replaced or reverted, kept for audit

The originals live in a sub-directory on purpose: Asterisk picks among `<id>.*` of the prompts
directory by format, so an `<id>.mp3` beside `<id>.wav` could be what a caller hears.
Every file is written to a temporary name in its directory and renamed over the old one, so a call
never reads half a file; the data is written (and synced) before anything is renamed, so a full
disk leaves the override as it was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

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


def _staged(path: Path, data: bytes) -> Path:
    """`data` in a synced temporary file beside `path` (readable by Asterisk), not yet renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, 0o644)
    except OSError:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename."""
    staged = _staged(path, data)
    try:
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)


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
    prompts_dir: Path, prompt_id: str, *, wav: bytes, original: bytes, ext: str, stamp: str
) -> None:
    """Make `wav` what Asterisk plays for `prompt_id`, keeping `original` (its upload) beside;
    a previous override's original goes to the history folder. `stamp`: 20261202T053000Z."""
    if ext not in ORIGINAL_EXTS or not _STAMP.fullmatch(stamp):
        raise ValueError(f"bad original extension {ext!r} or stamp {stamp!r}")
    target = played_file(prompts_dir, prompt_id)
    kept = prompts_dir / STUDIO / f"{prompt_id}.{ext}"
    staged = [_staged(kept, original)]
    try:
        staged.append(_staged(target, wav))
        _retire(prompts_dir, prompt_id, stamp)
        os.replace(staged[0], kept)
        os.replace(staged[1], target)
    finally:
        for path in staged:
            path.unlink(missing_ok=True)
    note_render(prompts_dir, prompt_id, None)


def remove_override(prompts_dir: Path, prompt_id: str, *, wav: bytes, render_key: str, stamp: str) -> None:
    """End the override of `prompt_id`: `wav` (rendered again from the catalog, `render_key` its
    cache key) is played from now on; the original goes to the history folder."""
    if not _STAMP.fullmatch(stamp):
        raise ValueError(f"bad stamp {stamp!r}")
    target = played_file(prompts_dir, prompt_id)
    staged = _staged(target, wav)
    try:
        _retire(prompts_dir, prompt_id, stamp)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    note_render(prompts_dir, prompt_id, render_key)
