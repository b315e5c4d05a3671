"""What the G.711 copies of the prompts (.alaw / .ulaw beside every WAV) cost the hotline's side,
against rendering the same prompts as WAV only, measured in one run on the shipped site catalog.

Timed, on fresh files in a temp dir:
  render WAV only  - `render_all(native=False)`: espeak-ng + pydub for every prompt (the baseline)
  make copies      - `sync_dir(native=True)` on those WAVs: every copy encoded, staged, renamed
  cached, WAV only - `render_all(native=False)` again: nothing to do (the cache's own cost)
  cached, native   - `render_all(native=True)` twice: the first checks every set by encoding it
                     again (and notes it in the ledger), the second finds the ledger's digests
  60 s upload      - the copies of the longest studio recording the console accepts (encoding)
  encoder          - prompts.g711 against CPython's C `audioop` (while it exists) on the same samples
Every copy is then checked against its WAV (the run fails otherwise). What the copies save is
Asterisk's transcoding per call: that is measured by the capacity bench in the lab, not here.
Targets: making every copy at most half of rendering the WAVs (the copies never dominate a
render; espeak-ng's time varies with the machine's load, so the ratio does too); a cached native
render <= 0.25 s; a 60 s upload's copies <= 0.25 s.
Run: .venv/bin/python bench/prompt_codecs.py [config]
"""

from __future__ import annotations

import io
import struct
import sys
import tempfile
import time
import warnings
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotline.settings import load_settings
from prompts.catalog import site_catalog
from prompts.g711 import encode
from prompts.native import Ledger, in_step, native_bytes, sync_dir, telephone_pcm
from prompts.render import render_all

CONFIG = Path(__file__).resolve().parents[1] / "config" / "hotline.yaml"


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def one_minute_wav() -> bytes:
    """The longest studio recording the console accepts, as converted (8 kHz mono 16-bit)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<480000h", *((i * 37) % 20000 - 10000 for i in range(480_000))))
    return out.getvalue()


def encoder_rates(pcm: bytes) -> tuple[float, float | None]:
    """Samples per second of both laws: prompts.g711, and audioop (None once Python drops it)."""
    n = len(pcm) // 2 * 2
    ours, _ = timed(lambda: [encode(pcm, law) for law in ("alaw", "ulaw")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import audioop
        except ImportError:
            return n / ours, None
    theirs, _ = timed(lambda: (audioop.lin2alaw(pcm, 2), audioop.lin2ulaw(pcm, 2)))
    return n / ours, n / theirs


def measure(catalog: dict[str, str], out: Path) -> dict[str, Any]:
    """The timings on `out` (empty), every outcome and copy checked; sizes and the samples."""
    t: dict[str, Any] = {}
    t["render"], _ = timed(lambda: render_all(catalog, out, native=False))
    t["wav_cached"], _ = timed(lambda: render_all(catalog, out, native=False))
    t["make"], made = timed(lambda: sync_dir(out, native=True))
    (out / Ledger.NAME).unlink(missing_ok=True)  # the first native run checks every set
    t["check"], first = timed(lambda: render_all(catalog, out, native=True))
    t["cached"], second = timed(lambda: render_all(catalog, out, native=True))
    wavs = sorted(out.glob("*.wav"))
    outcomes = set(first.values()) | set(second.values())
    if outcomes != {"cached"} or len(made.changed) != len(wavs) or not all(in_step(w) for w in wavs):
        raise SystemExit(f"copies not in step: outcomes {outcomes}, {len(made.changed)}/{len(wavs)} made")
    t["prompts"], t["wav_bytes"] = len(wavs), sum(w.stat().st_size for w in wavs)
    t["copy_bytes"] = sum(w.with_suffix(f".{law}").stat().st_size for w in wavs for law in ("alaw", "ulaw"))
    t["pcm"] = b"".join(telephone_pcm(w.read_bytes()) for w in wavs)
    return t


def main(config: Path) -> None:
    s = load_settings(config)
    catalog = site_catalog(company=s.company, agent_ids=[a.id for a in s.agents])
    with tempfile.TemporaryDirectory() as tmp:
        t = measure(catalog, Path(tmp) / "prompts")
    t["upload"], _ = timed(lambda: native_bytes(one_minute_wav()))
    ours, theirs = encoder_rates(t["pcm"])
    print(f"G.711 copies of {t['prompts']} prompts ({len(t['pcm']) / 16000:.0f} s of audio), one run")
    print(f"  render WAV only (espeak-ng)  {t['render']:7.3f} s  (baseline)")
    print(f"  make copies (.alaw+.ulaw)    {t['make']:7.3f} s  {t['make'] / t['render']:6.1%} of the render")
    print(f"  cached render, WAV only      {t['wav_cached']:7.3f} s")
    print(f"  cached render, native, check {t['check']:7.3f} s  (every set encoded again)")
    ratio = t["cached"] / t["wav_cached"]
    print(f"  cached render, native        {t['cached']:7.3f} s  {ratio:6.1f}x WAV only (ledger)")
    print(f"  copies of a 60 s upload      {t['upload']:7.3f} s")
    growth = t["copy_bytes"] / t["wav_bytes"]
    print(
        f"  disk: WAVs {t['wav_bytes'] / 1e6:.1f} MB, copies {t['copy_bytes'] / 1e6:.1f} MB ({growth:.2f}x)"
    )
    print(f"  encoder, both laws: prompts.g711 {ours / 1e6:.1f} M samples/s", end="")
    if theirs is None:
        print(" (no audioop in this Python: no C baseline)")
    else:
        print(f", audioop (C) {theirs / 1e6:.1f} M samples/s ({theirs / ours:.0f}x faster)")
    ok = t["make"] <= 0.5 * t["render"] and t["cached"] <= 0.25 and t["upload"] <= 0.25
    verdict = "met" if ok else "MISSED"
    print(f"  target: copies <= 50 % of the render, cached <= 0.25 s, 60 s upload <= 0.25 s: {verdict}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CONFIG)
