"""Render the catalog with espeak-ng (Mandarin) + pydub to 8 kHz mono 16-bit WAV files, each with
its G.711 copies `<id>.alaw` / `<id>.ulaw` (prompts.native) unless `native` is False
(`prompts.native_formats: false`: WAV only, the copies removed).

A file in prompts/recorded/<id>.wav wins over the generated one (converted to the same format).
Rendering is cached: a prompt is only synthesised again when its text or voice changes; copies
missing or not in step with their WAV are made again from it. A prompt overridden by a studio
recording uploaded in the console (prompts.studio: its original kept in <out>/studio/) is never
rendered over (only its copies are brought in step). Files are replaced in one rename each, all
staged first: a call playing a prompt while it is rendered hears the old file or the new one,
never half of one.
"""

from __future__ import annotations

import hashlib
import io
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

from .atomic import atomic_write  # noqa: E402  (after the pydub warning filter)
from .catalog import RECORDED_DIR  # noqa: E402
from .native import Ledger, NotTelephoneWav, sync_native, write_played  # noqa: E402
from .studio import MANIFEST, overridden  # noqa: E402

MOH_FILE = "hotline-melody.wav"
OUTCOMES = ("generated", "recorded", "cached", "converted", "studio")  # what render_all reports

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


def _sync_studio(target: Path, native: bool, ledger: Ledger) -> None:
    """Bring the copies of an overridden prompt's WAV in step with it (or remove them)."""
    try:
        sync_native(target, native=native and target.exists(), ledger=ledger)
    except NotTelephoneWav as exc:
        raise RenderError(f"the studio recording in force is not 8 kHz mono 16-bit: {exc}") from exc


def _up_to_date(target: Path, native: bool, ledger: Ledger) -> str | None:
    """For a WAV the cache says is current: 'cached' (its copies were in step too), 'converted'
    (they were made again from it), or None when the WAV is not what render makes (make it again)."""
    try:
        changed = sync_native(target, native=native, ledger=ledger)
    except NotTelephoneWav:
        return None
    return "converted" if changed and native else "cached"


def render_all(
    catalog: dict[str, str], out_dir: Path, recorded: Path = RECORDED_DIR, *, native: bool = True
) -> dict[str, str]:
    """Write <out_dir>/<id>.wav (and with `native` <id>.alaw, <id>.ulaw) for every prompt; returns
    {id: 'recorded'|'generated'|'cached'|'converted'|'studio'} ('cached': all its files were up to
    date; 'converted': its WAV was, its G.711 copies were made again; 'studio': overridden in the
    console, its WAV left as it is). RenderError: espeak-ng missing or failing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    studio, ledger = overridden(out_dir), Ledger(out_dir)
    result: dict[str, str] = {}
    for pid, text in catalog.items():
        target = out_dir / f"{pid}.wav"
        if pid in studio:
            manifest.pop(pid, None)  # once reverted, the file is made again
            _sync_studio(target, native, ledger)
            result[pid] = "studio"
            continue
        how, key = render_key(pid, text, recorded)
        if manifest.get(pid) == key and target.exists():
            outcome = _up_to_date(target, native, ledger)
            if outcome is not None:
                result[pid] = outcome
                continue
        write_played(target, render_bytes(pid, text, recorded), native=native)
        manifest[pid] = key
        result[pid] = how
    atomic_write(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    ledger.save()
    return result


def melody_bytes() -> bytes:
    """A soft 8-note melody (4 s loop) for music on hold, as a WAV, made without any external tool."""
    notes = [523.25, 659.25, 783.99, 659.25, 587.33, 698.46, 880.0, 698.46]
    melody = AudioSegment.silent(duration=0, frame_rate=RATE)
    for f in notes:
        tone = Sine(f, sample_rate=RATE).to_audio_segment(duration=500, volume=-16.0)
        melody += tone.fade_in(20).fade_out(20)
    out = io.BytesIO()
    to_telephone(melody).apply_gain(-10).export(out, format="wav")
    return out.getvalue()


def render_moh(out_dir: Path, *, native: bool = True) -> Path:
    """<out_dir>/hotline-melody.wav (kept if there), with its G.711 copies in step (`native`) or
    removed. One song for Asterisk: its music on hold lists every name once, whatever its formats,
    and picks the format per call. RenderError if the WAV there is not 8 kHz mono 16-bit."""
    target = out_dir / MOH_FILE
    if not target.exists():
        write_played(target, melody_bytes(), native=native)
        return target
    ledger = Ledger(out_dir)
    try:
        sync_native(target, native=native, ledger=ledger)
    except NotTelephoneWav as exc:
        raise RenderError(f"music on hold: {exc}") from exc
    ledger.save()
    return target
