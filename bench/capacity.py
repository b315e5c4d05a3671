"""Capacity: concurrent lab callers walking the menu, ramped in steps until the first failed call.

Each step (lab/load_step.py) places N calls from one sipp (lab/sipp_many.py) at RATE new calls
per second; every call hears the greeting (6.5 s, not interruptible), presses 4 (业务咨询 menu),
2 (业务办理 menu), 2 (an announcement, 增容和改类) and stays in the announcement until the last
call of the step has started, so all N are on the line at once. A step of fewer than MIN_CALLS
(200) callers places its batch again, one after the other, until 200 calls are measured (50
callers: 4 batches, 100: 2): its figures are those runs added up ("x4"). Per step it prints:
  - calls completed / failed, and the peak of channels up at once (AMI Newchannel/Hangup);
  - CPU seconds of the daemon and of Asterisk during the step (/proc/<pid>/stat), per call, and
    their ratio (target: daemon <= 10 % of Asterisk's at every step), how often a call made the
    daemon's event loop wait (its thread's voluntary context switches: each a wake-up, which on
    this 2-core machine costs more than the work it brings), and how busy the whole machine was;
  - key -> prompt latency p50/p99: from the AGIExecEnd of the command that took the key (STREAM
    FILE or WAIT FOR DIGIT) to the AGIExecStart of the prompt it led to, both timestamped by
    Asterisk (manager.conf timestampevents): the daemon's round trip plus Asterisk's AGI work.
The ramp stops at the first step with a failed call, or once the machine was >= 95 % busy (the
machine's limit: sipp, Asterisk and the daemon share its cores). Target: >= 400 concurrent with
0 failures on the 2-core lab.

Then prompts in the trunk's codec against WAV only, in the same run: at COMPARE_CALLS callers (or
the largest clean step, if smaller) the same step runs 6 times, alternating WAV only (the .alaw and
.ulaw copies removed from the lab's prompt and music directories, prompts.native.sync_dir) and
native copies (written back). Asterisk picks the format at each playback, so no reload is needed.
Printed: Asterisk CPU per call of each run, the median and range per mode and their ratio; a
mode wins only if its worst run beats the other's best (else: no difference this run can show).
Then the daemon's event loop, the same way: the standard asyncio loop against uvloop (the
default, hotline/daemon/event_loop.py), the daemon restarted on the other loop before each of 6
alternating runs; printed: the daemon's CPU per call and its share of Asterisk's per run, their
medians, ranges and ratios (the share is steadier: the machine's speed drifts between runs and
moves both processes' CPU per call together). With --python PATH, the daemon's interpreter the
same way: this one (the bench's) against PATH (another venv's python, running this checkout's
code), to see what the interpreter's build costs: a CPython built without PGO and LTO (a plain
`./configure`, pyenv's default) against the distribution's (Debian's python3.11 is built with both).
The header names the interpreter the ramp's daemon runs on.
Needs root and the lab (as `make test` sets up).
Run: .venv/bin/python bench/capacity.py [--linger MS] [--busy-window MS] [--no-formats] [--no-loops]
     [--python PATH] [STEP ...]
Steps default to 50 100 200 300 400 500 600. --linger and --busy-window set the daemon's
database.commit_linger_ms and commit_busy_window_ms (the recorder's commit windows, always and
under load; default: the settings' defaults), to see what a window saves the daemon under load;
--no-formats skips the WAV-only / native runs, --no-loops the asyncio / uvloop runs.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from daemon_cpu import daemon_running, write_config

from hotline.settings import load_settings
from lab.ami import AmiCredentials
from lab.hotline_stack import hotline_up
from lab.lab_lock import take_lab
from lab.load_step import StepFigures, merged, run_step
from prompts.native import sync_dir

DEFAULT_STEPS = (50, 100, 200, 300, 400, 500, 600)
RATE = 40.0  # new calls per second within a step
MACHINE_LIMIT = 0.95  # busy share of all cores at which the ramp stops
MIN_CALLS = 200  # a ramp step smaller than this places its batch again until it has measured this many
COMPARE_CALLS = 200  # callers per run of the WAV-only / native comparison


def print_step(f: StepFigures, label: str = "") -> None:
    ratio = f"{100 * f.ratio:5.1f} %" if f.asterisk_cpu_s else "    -  "
    print(
        f"  {label}{f.calls:4d} calls x{f.runs}  ok {f.ok:4d}  failed {f.failed:3d}"
        f"  peak {f.peak_channels:4d} up"
        f"  | daemon {f.daemon_cpu_s:6.2f} s ({1000 * f.daemon_s_per_call:4.1f} ms/call)"
        f"  Asterisk {f.asterisk_cpu_s:6.2f} s ({1000 * f.asterisk_s_per_call:4.1f} ms/call)"
        f"  ratio {ratio}  loop waits {f.loop_waits_per_call:4.1f}/call"
        f"  machine {100 * f.machine_busy:5.1f} %"
        f"  | key->prompt p50 {f.latency_ms(50):6.1f} ms  p99 {f.latency_ms(99):6.1f} ms"
        f" ({len(f.latencies_s)} keys)"
    )


async def ramp_step(n: int, ast_pid: int, daemon_pid: int, creds: AmiCredentials) -> StepFigures:
    """One step of the ramp: its batch of `n` callers, placed again (one batch after the other)
    until MIN_CALLS calls are measured or one fails. A step of 50 calls holds some 25 ticks of the
    daemon's CPU, and the machine's speed drifts between runs: one batch alone moved the daemon's
    share of Asterisk's CPU by more than a point from run to run."""
    runs: list[StepFigures] = []
    while len(runs) * n < MIN_CALLS and not any(r.failed for r in runs):
        runs.append(await run_step(n, RATE, ast_pid, daemon_pid, creds))
    return merged(runs)


async def compare_formats(n: int, played: list[Path], pids: tuple[int, int], creds: AmiCredentials) -> None:
    """Asterisk CPU per call with WAV only and with the G.711 copies, runs alternating."""
    per_call: dict[bool, list[float]] = {False: [], True: []}
    print(f"formats: {n} callers per run, WAV only and native .alaw/.ulaw alternating")
    try:
        for copies in (False, True) * 3:
            for directory in played:
                sync_dir(directory, native=copies)
            f = await run_step(n, RATE, *pids, creds, caller="13800006000")
            print_step(f, "native   " if copies else "WAV only ")
            if f.failed:
                raise RuntimeError(f"{f.failed} of {n} calls failed: the comparison is void")
            per_call[copies].append(f.asterisk_s_per_call)
    finally:
        for directory in played:
            sync_dir(directory, native=True)  # as the lab rendered them (prompts.native_formats default)
    judge("Asterisk CPU per call", {"WAV only": per_call[False], "native": per_call[True]}, 1000, "ms")


def judge(what: str, runs: dict[str, list[float]], scale: float, unit: str) -> None:
    """Print each mode's median and range of `what` and the ratio of the second mode's median to
    the first's (the baseline); a mode wins only if its worst run beats the other's best."""
    (base, a), (other, b) = runs.items()
    for name, values in runs.items():
        print(
            f"  {what}, {name}: median {scale * statistics.median(values):.2f} {unit}"
            f" (runs {scale * min(values):.2f}..{scale * max(values):.2f} {unit})"
        )
    verdict = f"{other} wins" if max(b) < min(a) else f"{base} wins" if max(a) < min(b) else ""
    ratio = statistics.median(b) / statistics.median(a)
    print(f"  {other} / {base}: {ratio:.2f}x ({verdict or 'the runs overlap: no difference shown'})")


@dataclass(frozen=True)
class Daemon:
    """How a comparison run starts the daemon: its event loop (None: the settings' default) and
    its interpreter."""

    label: str
    event_loop: str | None = None
    python: str = sys.executable


async def compare_daemons(
    title: str,
    variants: tuple[Daemon, Daemon],
    n: int,
    work: Path,
    lines: int,
    windows: dict[str, int],
    ast_pid: int,
    creds: AmiCredentials,
) -> None:
    """The daemon's CPU per call started two ways, runs alternating (the daemon restarted before
    each run). Judged also by the daemon's share of Asterisk's CPU in each run: the machine's speed
    drifts between runs (both processes' CPU per call move together), their ratio much less."""
    per_call: dict[str, list[float]] = {v.label: [] for v in variants}
    share: dict[str, list[float]] = {v.label: [] for v in variants}
    print(f"{title}: {n} callers per run, {' and '.join(v.label for v in variants)} alternating")
    for i, v in enumerate(variants * 3):
        cfg = write_config(work, lines, windows, event_loop=v.event_loop)
        log = work / f"daemon-{v.label}-{i // 2 + 1}.log"
        async with daemon_running(cfg, log, v.python) as daemon:
            f = await run_step(n, RATE, ast_pid, daemon.pid, creds, caller="13800007000")
        print_step(f, f"{v.label:8s} ")
        if f.failed:
            raise RuntimeError(f"{f.failed} of {n} calls failed: the comparison is void")
        per_call[v.label].append(f.daemon_s_per_call)
        share[v.label].append(f.ratio)
    judge("daemon CPU per call", per_call, 1000, "ms")
    judge("daemon / Asterisk CPU", share, 100, "%")


def interpreter(python: str) -> str:
    """`python`'s version and where it really is (a venv's python is a link to its base)."""
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"Python {version} ({Path(shutil.which(python) or python).resolve()})"


@dataclass(frozen=True)
class Options:
    steps: list[int]
    windows: dict[str, int]  # database.commit_linger_ms / commit_busy_window_ms given
    formats: bool  # compare WAV only with native prompt copies
    loops: bool  # compare the event loops
    other_python: str | None  # compare this interpreter with that one


async def main(opts: Options) -> None:
    steps, windows = opts.steps, opts.windows
    work = Path(tempfile.mkdtemp(prefix="bench-capacity-"))
    lines = max(steps)
    cfg = write_config(work, lines, windows)
    with take_lab("bench/capacity.py"):
        settings = load_settings(cfg)
        asterisk = await hotline_up(settings, work / "lab")
        try:
            ast_pid = asterisk.pid()
            if ast_pid is None:
                raise RuntimeError(f"the lab Asterisk is not running; see {asterisk.log_file}")
            ami = settings.ami
            creds = AmiCredentials("127.0.0.1", ami.port, ami.username, ami.secret.get_secret_value())
            db = settings.database
            print(
                f"capacity: steps {steps}, {RATE:g} new calls/s, daemon on {settings.event_loop},"
                f" recorder windows: linger {db.commit_linger_ms} ms,"
                f" under load {db.commit_busy_window_ms} ms, {interpreter(sys.executable)}"
            )
            print(f"  daemon log {work / 'daemon.log'}")
            figures = []
            async with daemon_running(cfg, work / "daemon.log") as daemon:
                for n in steps:
                    figures.append(await ramp_step(n, ast_pid, daemon.pid, creds))
                    print_step(figures[-1])
                    if figures[-1].failed or figures[-1].machine_busy >= MACHINE_LIMIT:
                        break
                clean = [f.calls for f in figures if not f.failed]
                played = [
                    asterisk.host_path(d) for d in (settings.asterisk.prompts_dir, settings.asterisk.moh_dir)
                ]
                if clean and opts.formats:
                    await compare_formats(
                        min(COMPARE_CALLS, max(clean)), played, (ast_pid, daemon.pid), creds
                    )
            n = min(COMPARE_CALLS, max(clean, default=0))
            if n and opts.loops:
                loop_variants = (Daemon("asyncio", "asyncio"), Daemon("uvloop", "uvloop"))
                await compare_daemons("event loops", loop_variants, n, work, lines, windows, ast_pid, creds)
            if n and opts.other_python:
                print(f"  this: {interpreter(sys.executable)}; other: {interpreter(opts.other_python)}")
                pythons = (Daemon("this"), Daemon("other", python=opts.other_python))
                await compare_daemons("interpreters", pythons, n, work, lines, windows, ast_pid, creds)
        finally:
            asterisk.stop()
    worst = max(f.ratio for f in figures)
    print(f"  most concurrent calls with 0 failures: {max(clean, default=0)} (target >= 400)")
    print(f"  daemon/Asterisk CPU at worst step: {100 * worst:.1f} % (target <= 10 %)")


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(description="concurrent lab callers, ramped in steps")
    parser.add_argument("steps", nargs="*", type=int, default=list(DEFAULT_STEPS))
    parser.add_argument("--linger", type=int, help="the daemon's database.commit_linger_ms (ms)")
    parser.add_argument("--busy-window", type=int, help="the daemon's database.commit_busy_window_ms")
    parser.add_argument("--no-formats", action="store_true", help="skip the WAV-only / native runs")
    parser.add_argument("--no-loops", action="store_true", help="skip the asyncio / uvloop runs")
    parser.add_argument("--python", help="also compare the daemon on this interpreter (another venv's)")
    args = parser.parse_args(argv)
    given = {"commit_linger_ms": args.linger, "commit_busy_window_ms": args.busy_window}
    windows = {k: v for k, v in given.items() if v is not None}
    return Options(args.steps, windows, not args.no_formats, not args.no_loops, args.python)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
