"""Outbound dialer: µs to pick the next job as the number of pending jobs grows.

One cycle = `Tick(free_lines=1)` (the Dial of the best due job) + `AttemptEnded(answered)` (the job
is done), each `handle()` timed on its own with time.perf_counter_ns; untimed, a fresh due job is
then added so the size stays constant. Jobs: 60 % follow-ups, 20 % outage notices, 20 % callbacks;
1 in 10 a key account (priority 5), the rest priority 0-2; half due already (up to 2 days ago),
half due within the next 3 days. The clock is injected (a working Monday, 10:00 Asia/Shanghai,
+1 ms per cycle).
Baseline, in the same run: one bare heapq push + pop on a heap of the same size.
Target: < 100 µs per cycle at 100,000 pending jobs. Growth = p50 / p50 at 1,000 jobs.
Also shown, not a cycle: the burst when all N jobs become due at the same moment (every follow-up
of a weekend is due Monday 08:00): the first Tick then moves them all to the ready heap, O(N log N)
once (each job moves once per schedule).
Run: .venv/bin/python bench/dialer_next_job.py [R]
"""

from __future__ import annotations

import gc
import heapq
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from acd.dialer import AddJob, AttemptEnded, Dial, Dialer, DialerSettings, Job, Purpose, Tick

SH = ZoneInfo("Asia/Shanghai")
SIZES = [1_000, 10_000, 100_000]
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
TARGET_US = 100.0
PURPOSES: list[Purpose] = ["followup", "outage_notice", "callback"]


def make_job(i: int, now: datetime, rng: random.Random, due: bool = False) -> Job:
    purpose = rng.choices(PURPOSES, [6, 2, 2])[0]
    priority = 5 if rng.random() < 0.1 else rng.choice([0, 0, 0, 1, 2])
    if due or rng.random() < 0.5:
        not_before = now - timedelta(seconds=rng.uniform(0, 2 * 86400))
    else:
        not_before = now + timedelta(seconds=rng.uniform(0, 3 * 86400))
    deadline = max(not_before, now) + timedelta(days=3)
    return Job(f"job{i}", f"1{rng.randrange(10**10):010d}", purpose, not_before, deadline, priority)


def bench_burst(n: int) -> float:
    """µs of the first Tick when all n follow-ups become due at once (Monday 08:00)."""
    dialer = Dialer(DialerSettings(SH))
    friday = datetime(2026, 11, 20, 21, 0, tzinfo=SH)
    for i in range(n):
        dialer.handle(
            AddJob(
                Job(
                    f"job{i}",
                    f"138{i:08d}",
                    "followup",
                    friday + timedelta(seconds=i % 3600),
                    friday + timedelta(days=5),
                    i % 3,
                )
            ),
            friday,
        )
    gc.collect()
    t0 = time.perf_counter_ns()
    (dial,) = dialer.handle(Tick(1), T0.replace(hour=8))
    return (time.perf_counter_ns() - t0) / 1000


def pct(times: list[float], p: int) -> float:
    return statistics.quantiles(times, n=100)[p - 1] if len(times) > 1 else times[0]


def bench_dialer(n: int, runs: int) -> tuple[list[float], list[float], list[float]]:
    rng = random.Random(n)
    dialer = Dialer(DialerSettings(SH))
    now = T0
    for i in range(n):
        dialer.handle(AddJob(make_job(i, now, rng)), now)
    assert dialer.counts()["pending"] == n
    gc.collect()
    ticks, ends, cycles = [], [], []
    next_id = n
    for _ in range(runs):
        now += timedelta(milliseconds=1)
        t0 = time.perf_counter_ns()
        out = dialer.handle(Tick(1), now)
        t1 = time.perf_counter_ns()
        (dial,) = out
        assert isinstance(dial, Dial)
        dialer.handle(AttemptEnded(dial.job_id, "answered"), now)
        t2 = time.perf_counter_ns()
        ticks.append((t1 - t0) / 1000)
        ends.append((t2 - t1) / 1000)
        cycles.append((t2 - t0) / 1000)
        # untimed: a job that is due replaces the one done, so ready and later stay the same size
        dialer.handle(AddJob(make_job(next_id, now, rng, due=True)), now)
        next_id += 1
    assert dialer.counts() == {"pending": n, "in_progress": 0}
    return ticks, ends, cycles


def bench_heapq(n: int, runs: int) -> list[float]:
    rng = random.Random(n)
    heap = [
        (-rng.randrange(6), T0 + timedelta(seconds=rng.uniform(-1e5, 1e5)), i, i, f"job{i}") for i in range(n)
    ]
    heapq.heapify(heap)
    gc.collect()
    times = []
    for r in range(runs):
        entry = (-rng.randrange(6), T0 + timedelta(seconds=rng.uniform(-1e5, 1e5)), n + r, 0, "x")
        t0 = time.perf_counter_ns()
        heapq.heappush(heap, entry)
        heapq.heappop(heap)
        times.append((time.perf_counter_ns() - t0) / 1000)
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print(
        f"Dialer next job: µs per handle(), {runs} cycles per size (p50 / p99); "
        f"target < {TARGET_US:.0f} µs per cycle"
    )
    print(
        f"{'pending':>8} {'Tick':>13} {'AttemptEnded':>13} {'cycle':>13} {'heapq':>11} "
        f"{'growth':>7} {'/heapq':>7}"
    )
    base_p50 = None
    worst_p99 = 0.0
    for n in SIZES:
        ticks, ends, cycles = bench_dialer(n, runs)
        heap = bench_heapq(n, runs)
        p50 = statistics.median(cycles)
        base_p50 = base_p50 or p50
        worst_p99 = max(worst_p99, pct(cycles, 99))
        print(
            f"{n:>8,} {statistics.median(ticks):>5.1f} / {pct(ticks, 99):>5.1f} "
            f"{statistics.median(ends):>5.1f} / {pct(ends, 99):>5.1f} "
            f"{p50:>5.1f} / {pct(cycles, 99):>5.1f} "
            f"{statistics.median(heap):>4.2f} / {pct(heap, 99):>4.2f} "
            f"{p50 / base_p50:>6.2f}x {p50 / statistics.median(heap):>6.0f}x"
        )
    verdict = "met" if worst_p99 < TARGET_US else "MISSED"
    print(f"\nworst cycle p99 {worst_p99:.1f} µs: target < {TARGET_US:.0f} µs {verdict}")
    print("\nburst (not a cycle): the first Tick when all N jobs become due at the same moment")
    for n in SIZES:
        print(f"{n:>8,} {bench_burst(n) / 1000:>8.1f} ms")


if __name__ == "__main__":
    main()
