"""A prompt's G.711 copies beside its WAV, so Asterisk plays G.711 calls without transcoding.

    <dir>/<name>.wav    8 kHz mono 16-bit PCM: the source of truth (the console plays it)
    <dir>/<name>.alaw   the same samples, A-law, headerless (Asterisk's format_pcm)
    <dir>/<name>.ulaw   the same samples, µ-law, headerless

Asterisk, asked to play `<dir>/<name>`, picks among the formats present the one that costs the
least translation to the channel's codec: an A-law call reads `.alaw` as is, a µ-law call `.ulaw`,
anything else the `.wav`. The copies are a function of the WAV (prompts.g711), so whether they are
in step is checked by encoding the WAV again, never assumed from names, sizes or dates; a `Ledger`
of digests of sets already checked saves encoding them again while not one byte changed.

`native=False` (setting `prompts.native_formats: false`) means WAV only: the copies are removed, so
no call can play a copy older than its WAV. Every file is staged (written and synced under a
temporary name) before the first rename; a failure while staging changes none of the files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import wave
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_write, staged
from .g711 import encode

NATIVE_EXTS = ("alaw", "ulaw")
RATE = 8000


class NotTelephoneWav(ValueError):
    """A WAV that is not 8 kHz mono 16-bit PCM: no G.711 copy is made of it."""


@dataclass
class NativeSync:
    """What `sync_dir` did: names whose copies were made or removed, WAVs it left alone."""

    changed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def native_paths(wav_path: Path) -> list[Path]:
    """The G.711 copies of `wav_path` (they may not exist)."""
    return [wav_path.with_suffix(f".{ext}") for ext in NATIVE_EXTS]


def telephone_pcm(wav: bytes, name: str = "WAV") -> bytes:
    """The samples of an 8 kHz mono 16-bit PCM WAV; NotTelephoneWav for anything else."""
    try:
        with wave.open(io.BytesIO(wav), "rb") as w:
            fmt = (w.getframerate(), w.getnchannels(), w.getsampwidth())
            pcm = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise NotTelephoneWav(f"{name}: not a readable PCM WAV ({exc})") from exc
    if fmt != (RATE, 1, 2):
        raise NotTelephoneWav(
            f"{name}: {fmt[0]} Hz, {fmt[1]} channel(s), {8 * fmt[2]}-bit; want 8000 Hz mono 16-bit"
        )
    return pcm


def native_bytes(wav: bytes, name: str = "WAV") -> dict[str, bytes]:
    """{'alaw': ..., 'ulaw': ...}: the WAV's samples in each law, one byte per sample."""
    pcm = telephone_pcm(wav, name)
    return {ext: encode(pcm, ext) for ext in NATIVE_EXTS}


def stage_played(wav_path: Path, wav: bytes, *, native: bool) -> list[tuple[Path, Path]]:
    """(temporary, final) for the WAV and, with `native`, its copies: all written and synced,
    nothing renamed yet. NotTelephoneWav (before anything is written) for a WAV without copies."""
    copies = native_bytes(wav, wav_path.name) if native else {}
    pairs: list[tuple[Path, Path]] = []
    try:
        pairs.append((staged(wav_path, wav), wav_path))
        for ext, data in copies.items():
            final = wav_path.with_suffix(f".{ext}")
            pairs.append((staged(final, data), final))
    except OSError:
        discard(pairs)
        raise
    return pairs


def commit_played(pairs: list[tuple[Path, Path]], *, native: bool) -> None:
    """Rename the staged files into place: the WAV first, then its copies. Without `native` the
    copies are removed first, so a G.711 call never plays a copy of the WAV being replaced."""
    if not native:
        for path in native_paths(pairs[0][1]):
            path.unlink(missing_ok=True)
    for tmp, final in pairs:
        os.replace(tmp, final)


def discard(pairs: list[tuple[Path, Path]]) -> None:
    """Remove what is left of staged files (after a commit: nothing)."""
    for tmp, _ in pairs:
        tmp.unlink(missing_ok=True)


def write_played(wav_path: Path, wav: bytes, *, native: bool) -> None:
    """Replace the WAV Asterisk plays and its G.711 copies (with `native`; else remove them)."""
    pairs = stage_played(wav_path, wav, native=native)
    try:
        commit_played(pairs, native=native)
    finally:
        discard(pairs)


class Ledger:
    """Sets found in step, in `<dir>/.native.json`: {WAV name: sha256 of the WAV, the .alaw, the
    .ulaw}. Files whose three digests are listed are byte for byte a set checked (or made) in
    step, so they need no encoding again; anything else is checked in full. Only a cache: a lost,
    stale or broken ledger costs time, never a wrong answer. A dot-name: music on hold skips it."""

    NAME = ".native.json"

    def __init__(self, directory: Path) -> None:
        self.path = directory / self.NAME
        try:
            data = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            data = {}
        self.sets: dict[str, object] = data if isinstance(data, dict) else {}
        self.dirty = False

    @staticmethod
    def _digests(files: list[bytes]) -> list[str]:
        return [hashlib.sha256(data).hexdigest() for data in files]

    def knows(self, name: str, files: list[bytes]) -> bool:
        return self.sets.get(name) == self._digests(files)

    def note(self, name: str, files: list[bytes] | None) -> None:
        """Remember the set `files` (WAV, .alaw, .ulaw) as in step; None: forget `name`."""
        entry = None if files is None else self._digests(files)
        if self.sets.get(name) != entry:
            self.dirty = True
            if entry is None:
                self.sets.pop(name, None)
            else:
                self.sets[name] = entry

    def save(self) -> None:
        if self.dirty:
            atomic_write(self.path, json.dumps(self.sets, indent=1, sort_keys=True).encode())
            self.dirty = False


def _on_disk(wav_path: Path) -> list[bytes | None]:
    out: list[bytes | None] = []
    for path in native_paths(wav_path):
        try:
            out.append(path.read_bytes())
        except FileNotFoundError:
            out.append(None)
    return out


def in_step(wav_path: Path) -> bool:
    """Both copies exist and hold exactly the WAV's samples."""
    copies = native_bytes(wav_path.read_bytes(), wav_path.name)
    return _on_disk(wav_path) == [copies[ext] for ext in NATIVE_EXTS]


def sync_native(wav_path: Path, *, native: bool, ledger: Ledger | None = None) -> bool:
    """Make the copies of an existing WAV agree with it (`native`) or remove them; True if a file
    changed. NotTelephoneWav (nothing changed) if `native` and the WAV is not 8 kHz mono 16-bit.
    With a `ledger`, a set it lists is not encoded again (callers save the ledger when done)."""
    if not native:
        found = [p for p in native_paths(wav_path) if p.exists()]
        for path in found:
            path.unlink(missing_ok=True)
        if ledger is not None:
            ledger.note(wav_path.name, None)
        return bool(found)
    wav, on_disk = wav_path.read_bytes(), _on_disk(wav_path)
    whole = [data for data in on_disk if data is not None]
    if ledger is not None and len(whole) == len(on_disk) and ledger.knows(wav_path.name, [wav, *whole]):
        return False
    copies = native_bytes(wav, wav_path.name)
    changed = on_disk != [copies[ext] for ext in NATIVE_EXTS]
    if changed:
        pairs = [(staged(path, copies[path.suffix[1:]]), path) for path in native_paths(wav_path)]
        try:
            for tmp, final in pairs:
                os.replace(tmp, final)
        finally:
            discard(pairs)
    if ledger is not None:
        ledger.note(wav_path.name, [wav, *copies.values()])
    return changed


def sync_dir(directory: Path, *, native: bool) -> NativeSync:
    """`sync_native` for every `*.wav` directly in `directory` (the prompts or the music on hold
    directory): what the capacity bench calls to compare WAV only with native copies in one run.
    Asterisk picks the format at each playback, so no reload is needed either way. A WAV that is
    not 8 kHz mono 16-bit (a site's own music) is left alone and listed in `skipped`."""
    done, ledger = NativeSync(), Ledger(directory)
    for wav_path in sorted(directory.glob("*.wav")):
        if wav_path.name.startswith(".") or not wav_path.is_file():
            continue
        try:
            if sync_native(wav_path, native=native, ledger=ledger):
                done.changed.append(wav_path.stem)
        except NotTelephoneWav:
            done.skipped.append(wav_path.name)
    ledger.save()
    return done
