"""ACD routing decision cost: µs per `handle()` as waiting calls and agents grow.

Two decisions, each timed one `handle()` call at a time (median and mean of R runs):
  ready  - an agent becomes ready (AgentResume) while calls wait: it takes the first waiting call
           of its skills. Untimed reset: OfferNoAnswer puts the call back in its place.
  arrive - a call arrives while agents are idle: it goes to the longest-idle agent of its
           category (the waiting calls are of a category those agents do not serve).
           Untimed reset: CallLeft frees the agent again.
7 business categories; agents have 1-3 skills or all; 1 in 4 calls is priority 1.
Target: < 50 µs per decision at 1,000 agents and 10,000 waiting calls. Growth = median / median
of the smallest size, measured in the same run.
Run: .venv/bin/python bench/acd_decision.py [R]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from acd.agents import AgentSpec
from acd.commands import Offer
from acd.core import AcdCore
from acd.events import (
    AgentLogin,
    AgentPause,
    AgentRegistered,
    AgentResume,
    CallLeft,
    CallQueued,
    OfferNoAnswer,
)

CATEGORIES = ["consult", "query", "fault", "connect", "complaint", "theft", "other"]
WAITING = [10, 100, 1_000, 10_000]
AGENTS = [10, 100, 1_000]
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def specs(n: int, rng: random.Random, exclude: str | None = None) -> list[AgentSpec]:
    pool = [c for c in CATEGORIES if c != exclude]
    out = []
    for i in range(n):
        k = rng.choice([0, 1, 2, 3]) if exclude is None else rng.choice([1, 2, 3])
        out.append(AgentSpec(f"a{i}", f"{1000 + i}", frozenset(rng.sample(pool, k))))
    return out


def fill_queue(core: AcdCore, n: int, rng: random.Random, now: datetime, category: str | None = None) -> None:
    for i in range(n):
        cat = category or CATEGORIES[i % len(CATEGORIES)]
        prio = 1 if rng.random() < 0.25 else 0
        core.handle(CallQueued(f"w{i}", cat, prio, now - timedelta(seconds=n - i)), now)


def bench_ready(n_wait: int, n_agents: int, runs: int) -> list[float]:
    rng = random.Random(1)
    core = AcdCore(specs(n_agents, rng))
    now = T0
    for s in core.pool.agents.values():  # everyone logged in but paused: nobody idle
        core.handle(AgentRegistered(s.agent_id, True), now)
        core.handle(AgentLogin(s.agent_id), now)
        core.handle(AgentPause(s.agent_id, "bench"), now)
    fill_queue(core, n_wait, rng, now)
    ids = list(core.pool.agents)
    times = []
    for r in range(runs):
        now += timedelta(milliseconds=10)
        agent_id = ids[r % len(ids)]
        t0 = time.perf_counter_ns()
        out = core.handle(AgentResume(agent_id), now)
        times.append((time.perf_counter_ns() - t0) / 1000)
        (offer,) = [c for c in out if isinstance(c, Offer)]
        core.handle(OfferNoAnswer(offer.call_id, agent_id), now)  # back in its place; paused
    assert core.waiting_count() == n_wait
    return times


def bench_arrive(n_wait: int, n_agents: int, runs: int) -> list[float]:
    rng = random.Random(2)
    core = AcdCore(specs(n_agents, rng, exclude="complaint"))
    now = T0
    fill_queue(core, n_wait, rng, now, category="complaint")  # nobody idle serves these
    for s in core.pool.agents.values():
        now += timedelta(milliseconds=1)
        core.handle(AgentRegistered(s.agent_id, True), now)
        core.handle(AgentLogin(s.agent_id), now)
    times = []
    for r in range(runs):
        now += timedelta(milliseconds=10)
        cat = CATEGORIES[r % 4]
        t0 = time.perf_counter_ns()
        out = core.handle(CallQueued(f"n{r}", cat, r % 2, now), now)
        times.append((time.perf_counter_ns() - t0) / 1000)
        assert any(isinstance(c, Offer) for c in out)
        core.handle(CallLeft(f"n{r}"), now)  # the agent is idle again
    assert core.waiting_count() == n_wait
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    print(f"ACD decision: µs per handle(), {runs} runs per cell (median / mean), growth vs the smallest cell")
    for name, fn in (
        ("ready (agent becomes ready, calls waiting)", bench_ready),
        ("arrive (call arrives, agents idle)", bench_arrive),
    ):
        print(f"\n{name}")
        print(f"{'waiting':>8} {'agents':>7} {'median µs':>10} {'mean µs':>8} {'growth':>7}")
        base = None
        for n_agents in AGENTS:
            for n_wait in WAITING:
                times = fn(n_wait, n_agents, runs)
                med = statistics.median(times)
                base = base or med
                print(
                    f"{n_wait:>8,} {n_agents:>7,} {med:>10.1f} {statistics.fmean(times):>8.1f} "
                    f"{med / base:>6.2f}x"
                )


if __name__ == "__main__":
    main()
