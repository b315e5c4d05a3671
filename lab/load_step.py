"""One load step for the capacity bench (bench/capacity.py) and its e2e smoke run.

`run_step` places `n` callers who walk the menu into an announcement (lab.sipp_many), watches
Asterisk's AMI events while they run, and reads from /proc the CPU both processes used and how
often the daemon's event loop went to sleep (its thread's voluntary context switches: a wait in
epoll for the next socket reply, timer or thread hand-off, or for the GIL);
`merged` adds runs of one step together. The figures come from facts Asterisk and the kernel
report; the parsing is pure (`key_latencies`, `peak_channels`, `voluntary_switches`) so it is
tested without a lab.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lab.ami import AmiCredentials, Message, RawAmi
from lab.caller_steps import Dtmf, Step, Wait
from lab.sipp_many import BatchResult, call_many

TICK = os.sysconf("SC_CLK_TCK")
AFTER_GREETING_S = 7.5  # the greeting (6.5 s) cannot be interrupted; the menus can
KEYS = "422"  # 业务咨询 -> 业务办理 -> 增容和改类 (an announcement), config/menu.yaml
# the prompts those keys lead to: the latency is measured up to the start of each
PROMPTS_AFTER_A_KEY = frozenset({"menu_guide", "menu_business", "info_capacity_change"})
KEY_TAKERS = ("STREAM FILE", "WAIT FOR DIGIT")  # the AGI commands a caller's key ends


@dataclass(frozen=True)
class StepFigures:
    calls: int  # callers on the line at once (per run)
    ok: int  # calls that completed, over all runs
    peak_channels: int
    daemon_cpu_s: float  # over all runs, as is Asterisk's
    asterisk_cpu_s: float
    machine_busy: float  # share of all cores' time not idle during the step, 0..1
    latencies_s: tuple[float, ...]  # key -> prompt, one per key that led to a prompt
    runs: int = 1  # times the step's batch of calls was placed (merged())
    loop_waits: int = 0  # times the daemon's event-loop thread slept, over all runs

    @property
    def loop_waits_per_call(self) -> float:
        return self.loop_waits / self.placed

    @property
    def placed(self) -> int:
        """Calls placed over all runs (what the CPU figures are divided by, per call)."""
        return self.calls * self.runs

    @property
    def failed(self) -> int:
        return self.placed - self.ok

    @property
    def daemon_s_per_call(self) -> float:
        return self.daemon_cpu_s / self.placed

    @property
    def asterisk_s_per_call(self) -> float:
        return self.asterisk_cpu_s / self.placed

    @property
    def ratio(self) -> float:
        """Daemon CPU / Asterisk CPU (0 when Asterisk used none)."""
        return self.daemon_cpu_s / self.asterisk_cpu_s if self.asterisk_cpu_s else 0.0

    def latency_ms(self, percentile: float) -> float:
        """Nearest-rank percentile of the key -> prompt latencies, in ms (nan without any)."""
        if not self.latencies_s:
            return math.nan
        ordered = sorted(self.latencies_s)
        rank = max(1, math.ceil(percentile / 100 * len(ordered)))
        return 1000 * ordered[rank - 1]


def walk(hold_s: float) -> list[Step]:
    """The greeting, the keys (a second apart), then `hold_s` in the announcement."""
    steps: list[Step] = [Wait(AFTER_GREETING_S)]
    for key in KEYS:
        steps += [Dtmf(key), Wait(1.0)]
    return steps[:-1] + [Wait(hold_s)]


def merged(parts: Sequence[StepFigures]) -> StepFigures:
    """Runs of one step as one: calls, CPU and keys added up, the highest peak, the mean of the
    machine's busy shares (the runs are alike in length)."""
    if not parts or len({p.calls for p in parts}) != 1:
        raise ValueError(f"merged() takes runs of one step, got {[p.calls for p in parts]}")
    return StepFigures(
        parts[0].calls,
        sum(p.ok for p in parts),
        max(p.peak_channels for p in parts),
        sum(p.daemon_cpu_s for p in parts),
        sum(p.asterisk_cpu_s for p in parts),
        sum(p.machine_busy for p in parts) / len(parts),
        tuple(s for p in parts for s in p.latencies_s),
        sum(p.runs for p in parts),
        sum(p.loop_waits for p in parts),
    )


def _prompt(command: str) -> str:
    """The file name a `STREAM FILE "<dir>/<id>" "<keys>"` command plays ('' for others)."""
    if not command.startswith("STREAM FILE"):
        return ""
    parts = command.split('"')
    return parts[1].rsplit("/", 1)[-1] if len(parts) > 1 else ""


def key_latencies(events: Iterable[Message], prompts: frozenset[str] = PROMPTS_AFTER_A_KEY) -> list[float]:
    """Seconds from the end of the command that took a key (AGIExecEnd) to the start of the
    prompt it led to (AGIExecStart), per channel, from the events' Timestamp. Only a prompt's
    first start on a channel counts: the walk reaches each of them by a key, while a menu played
    again after the announcement follows the announcement's end, not a key. (The AMI user has
    no `dtmf` read class, so the key itself is not seen.)"""
    taken: dict[str, float] = {}  # Uniqueid -> when its last key-taking command ended
    started: set[tuple[str, str]] = set()
    found: list[float] = []
    for event in events:
        kind, channel, command = event.get("Event"), event.get("Uniqueid", ""), event.get("Command", "")
        if "Timestamp" not in event or not channel:
            continue
        if kind == "AGIExecEnd" and command.startswith(KEY_TAKERS):
            taken[channel] = float(event["Timestamp"])
        elif kind == "AGIExecStart" and (prompt := _prompt(command)) in prompts and channel in taken:
            if (channel, prompt) not in started:
                started.add((channel, prompt))
                found.append(float(event["Timestamp"]) - taken[channel])
            del taken[channel]
    return found


def peak_channels(events: Iterable[Message]) -> int:
    """The most channels up at once, counting those created while the events were watched."""
    up: set[str] = set()
    peak = 0
    for event in events:
        channel = event.get("Uniqueid", "")
        if event.get("Event") == "Newchannel":
            up.add(channel)
            peak = max(peak, len(up))
        elif event.get("Event") == "Hangup":
            up.discard(channel)
    return peak


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime, all threads


def voluntary_switches(status: str) -> int:
    """`voluntary_ctxt_switches` of a /proc/<pid>/task/<tid>/status text: how often the thread
    gave up the CPU to wait."""
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == "voluntary_ctxt_switches":
            return int(value)
    raise ValueError("no voluntary_ctxt_switches line in the thread's status")


def loop_waits(pid: int) -> int:
    """How often the daemon's main thread (its event loop's) has waited since it started."""
    return voluntary_switches(Path(f"/proc/{pid}/task/{pid}/status").read_text())


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot (/proc/stat; idle and iowait are not busy)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (guest is in user)
    return total - values[3] - values[4], total


def _readings(asterisk_pid: int, daemon_pid: int) -> tuple[float, float, tuple[int, int], int]:
    """Asterisk's and the daemon's CPU seconds, the machine's ticks, the daemon loop's waits."""
    return cpu_seconds(asterisk_pid), cpu_seconds(daemon_pid), machine_ticks(), loop_waits(daemon_pid)


async def run_step(
    n: int,
    rate: float,
    asterisk_pid: int,
    daemon_pid: int,
    creds: AmiCredentials,
    *,
    caller: str = "13800005000",
) -> StepFigures:
    """`n` callers at `rate` new calls/s, each holding until the last has started."""
    ami = await RawAmi.connect(creds)
    try:
        a0, d0, m0, w0 = _readings(asterisk_pid, daemon_pid)
        batch: BatchResult = await call_many(n, rate=rate, steps=walk(n / rate + 3.0), caller=caller)
        a1, d1, m1, w1 = _readings(asterisk_pid, daemon_pid)
        events = list(ami.events)
    finally:
        await ami.close()
    busy = (m1[0] - m0[0]) / max(1, m1[1] - m0[1])
    latencies = tuple(key_latencies(events))
    return StepFigures(n, batch.ok, peak_channels(events), d1 - d0, a1 - a0, busy, latencies, 1, w1 - w0)
