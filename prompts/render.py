"""Render the catalog with espeak-ng (Mandarin) + pydub to 8 kHz mono 16-bit WAV files.

A file in prompts/recorded/<id>.wav wins over the generated one (converted to the same format).
Rendering is cached: a prompt is only synthesised again when its text or voice changes.
A prompt overridden by a studio recording uploaded in the console (prompts.studio: its original
kept in <out>/studio/) is never rendered over. Files are replaced in one rename: a call playing a
prompt while it is rendered hears the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

# pydub warns at import when ffmpeg is absent; WAV in and out needs no ffmpeg.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
from pydub import AudioSegment  # noqa: E402
from pydub.generators import Sine  # noqa: E402

from .catalog import RECORDED_DIR  # noqa: E402  (after the pydub warning filter)
from .studio import MANIFEST, atomic_write, overridden  # noqa: E402

VOICE = "cmn-latn-pinyin"  # plain "cmn" reads unknown Hanzi as English-spelled pinyin
SPEED = 150
RATE = 8000


class RenderError(RuntimeError):
    pass


def to_telephone(seg: AudioSegment) -> AudioSegment:
    seg = seg.set_channels(1).set_frame_rate(RATE).set_sample_width(2)
    return seg.apply_gain(-3.0 - seg.max_dBFS) if seg.max_dBFS != float("-inf") else seg


def synthesise(text: str, out: Path) -> None:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RenderError("espeak-ng is not installed (Debian package espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        proc = subprocess.run(
            [exe, "-v", VOICE, "-s", str(SPEED), "-w", str(raw), text], capture_output=True, text=True
        )
        if proc.returncode != 0 or not raw.exists():
            raise RenderError(f"espeak-ng failed for {text!r}: {proc.stderr.strip()}")
        to_telephone(AudioSegment.from_wav(raw)).export(out, format="wav")


def render_key(prompt_id: str, text: str, recorded: Path = RECORDED_DIR) -> tuple[str, str]:
    """('recorded' | 'generated', the cache key of what the file is made from)."""
    rec = recorded / f"{prompt_id}.wav"
    if rec.exists():
        return "recorded", "recorded:" + hashlib.sha256(rec.read_bytes()).hexdigest()
    return "generated", "tts:" + hashlib.sha256(f"{VOICE}|{SPEED}|{text}".encode()).hexdigest()


def render_bytes(prompt_id: str, text: str, recorded: Path = RECORDED_DIR) -> bytes:
    """The WAV of one prompt: its recording converted, else `text` synthesised."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "prompt.wav"
        rec = recorded / f"{prompt_id}.wav"
        if rec.exists():
            to_telephone(AudioSegment.from_wav(rec)).export(out, format="wav")
        else:
            synthesise(text, out)
        return out.read_bytes()


def render_all(catalog: dict[str, str], out_dir: Path, recorded: Path = RECORDED_DIR) -> dict[str, str]:
    """Write <out_dir>/<id>.wav for every prompt; returns {id: 'recorded'|'generated'|'cached'|
    'studio'} ('studio': overridden in the console, left as it is)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    studio = overridden(out_dir)
    result: dict[str, str] = {}
    for pid, text in catalog.items():
        if pid in studio:
            manifest.pop(pid, None)  # once reverted, the file is made again
            result[pid] = "studio"
            continue
        target = out_dir / f"{pid}.wav"
        how, key = render_key(pid, text, recorded)
        if manifest.get(pid) == key and target.exists():
            result[pid] = "cached"
            continue
        atomic_write(target, render_bytes(pid, text, recorded))
        manifest[pid] = key
        result[pid] = how
    atomic_write(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return result


def render_moh(out_dir: Path) -> Path:
    """A soft 8-note melody (4 s loop) for music on hold, made without any external tool."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "hotline-melody.wav"
    if target.exists():
        return target
    notes = [523.25, 659.25, 783.99, 659.25, 587.33, 698.46, 880.0, 698.46]
    melody = AudioSegment.silent(duration=0, frame_rate=RATE)
    for f in notes:
        tone = Sine(f, sample_rate=RATE).to_audio_segment(duration=500, volume=-16.0)
        melody += tone.fade_in(20).fade_out(20)
    to_telephone(melody).apply_gain(-10).export(target, format="wav")
    return target
