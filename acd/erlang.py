"""Erlang C: how many agents a queue needs for a service-level target (staffing advice).

Pure stdlib, no clock. The M/M/N model: calls arrive at random (Poisson), handle times are
exponential with mean `aht_s`, callers wait (nobody abandons), N identical agents.

    traffic A (Erlangs) = calls per second x AHT   (= calls in the interval x AHT / interval)
    P(wait)  = Erlang C(N, A)        (1.0 when N <= A: the queue grows without bound)
    SL(t)    = 1 - P(wait) x exp(-(N - A) x t / AHT)   share of calls answered within t seconds
    ASA      = P(wait) x AHT / (N - A)                 average speed of answer

Erlang C is computed from the Erlang B recursion B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)),
C = N B / (N - A (1 - B)), which stays accurate for hundreds of agents (no factorials).
"""

from __future__ import annotations

import math

from .rules import AcdError

MAX_AGENTS = 10_000


def _check_traffic(traffic: float) -> None:
    if not math.isfinite(traffic) or traffic < 0:
        raise AcdError(f"traffic must be a finite number of Erlangs >= 0, got {traffic!r}")


def _check_agents(agents: int) -> None:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
        raise AcdError(f"agents must be an integer >= 0, got {agents!r}")


def _check_positive(value: float, what: str) -> None:
    if not math.isfinite(value) or value <= 0:
        raise AcdError(f"{what} must be a finite number > 0, got {value!r}")


def offered_traffic(calls: float, interval_s: float, aht_s: float) -> float:
    """Erlangs offered by `calls` calls of mean handle time `aht_s` arriving in `interval_s`."""
    if not math.isfinite(calls) or calls < 0:
        raise AcdError(f"calls must be a finite number >= 0, got {calls!r}")
    _check_positive(interval_s, "interval_s")
    _check_positive(aht_s, "aht_s")
    return calls * aht_s / interval_s


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of `agents` servers offered `traffic` Erlangs with no queue."""
    _check_agents(agents)
    _check_traffic(traffic)
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a call has to wait (Erlang C); 1.0 when agents <= traffic."""
    _check_agents(agents)
    _check_traffic(traffic)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(agents: int, traffic: float, aht_s: float, target_s: float) -> float:
    """Share of calls answered within `target_s` seconds (0.0 when agents <= traffic > 0)."""
    _check_positive(aht_s, "aht_s")
    if not math.isfinite(target_s) or target_s < 0:
        raise AcdError(f"target_s must be a finite number >= 0, got {target_s!r}")
    p_wait = erlang_c(agents, traffic)
    if traffic > 0 and agents <= traffic:
        return 0.0
    return 1.0 - p_wait * math.exp(-(agents - traffic) * target_s / aht_s)


def average_speed_of_answer(agents: int, traffic: float, aht_s: float) -> float:
    """Mean wait of all calls in seconds (math.inf when agents <= traffic > 0)."""
    _check_positive(aht_s, "aht_s")
    p_wait = erlang_c(agents, traffic)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return p_wait * aht_s / (agents - traffic)


def agents_needed(
    traffic: float, aht_s: float, target_s: float, goal: float, max_agents: int = MAX_AGENTS
) -> int:
    """Fewest agents whose service level within `target_s` reaches `goal` (0 < goal < 1).

    No traffic needs no agent (0): staffing a 24-hour line with at least one person is a policy
    the caller applies. Raises AcdError (a ValueError) if even `max_agents` agents cannot reach
    the goal.
    """
    _check_traffic(traffic)
    if not (isinstance(goal, (int, float)) and 0 < goal < 1):
        raise AcdError(f"goal must be a share strictly between 0 and 1 (e.g. 0.8), got {goal!r}")
    if traffic == 0:
        return 0
    start = max(1, math.floor(traffic) + 1)  # fewer agents than Erlangs never reach any goal
    for n in range(start, max_agents + 1):
        if service_level(n, traffic, aht_s, target_s) >= goal:
            return n
    raise AcdError(
        f"{traffic:.1f} Erlangs need more than {max_agents} agents to answer {goal:.0%} within {target_s:g} s"
    )
