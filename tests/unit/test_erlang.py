"""Erlang C against published values and an independent textbook formula."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acd.erlang import (
    agents_needed,
    average_speed_of_answer,
    erlang_b,
    erlang_c,
    offered_traffic,
    service_level,
)

# The classic worked example (Call Centre Helper, "Erlang C formula - made simple"): 100 calls in
# 30 minutes, AHT 180 s, target 80 % answered within 20 s -> A = 10 Erlangs. Published table,
# hand-checked with the formulas in acd/erlang.py's docstring (e.g. N = 14: P(wait) = 0.1741,
# SL = 1 - 0.1741 * exp(-4 * 20 / 180) = 0.8884, ASA = 0.1741 * 180 / 4 = 7.8 s):
#   agents  P(wait)  SL(20 s)  ASA (s)
CLASSIC = [
    (11, 0.6821, 0.3896, 122.8),
    (12, 0.4494, 0.6402, 40.4),
    (13, 0.2853, 0.7956, 17.1),
    (14, 0.1741, 0.8884, 7.8),
    (15, 0.1020, 0.9415, 3.7),
]


def test_classic_example_traffic():
    assert offered_traffic(100, 30 * 60, 180) == pytest.approx(10.0)


@pytest.mark.parametrize(("agents", "p_wait", "sl", "asa"), CLASSIC)
def test_classic_example_table(agents, p_wait, sl, asa):
    assert erlang_c(agents, 10.0) == pytest.approx(p_wait, abs=5e-5)
    assert service_level(agents, 10.0, 180, 20) == pytest.approx(sl, abs=5e-5)
    assert average_speed_of_answer(agents, 10.0, 180) == pytest.approx(asa, abs=0.05)


def test_classic_example_needs_14_agents_for_80_percent_in_20_s():
    assert agents_needed(10.0, 180, 20, 0.8) == 14
    assert agents_needed(10.0, 180, 20, 0.79) == 13  # 13 agents give 79.56 %


def test_erlang_b_table_values():
    # Erlang B tables: 10 circuits carry 4.461 E at 1 % blocking and 5.084 E at 2 %.
    assert erlang_b(10, 4.461) == pytest.approx(0.01, abs=2e-5)
    assert erlang_b(10, 5.084) == pytest.approx(0.02, abs=2e-5)


def _erlang_c_textbook(n: int, a: Fraction) -> Fraction:
    """P(wait) = (A^N / N!) (N / (N - A)) / (sum_{k<N} A^k / k! + (A^N / N!) (N / (N - A)))."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


@given(
    st.integers(1, 60),
    st.fractions(min_value=Fraction(1, 100), max_value=59).map(lambda f: f.limit_denominator(1000)),
)
def test_matches_the_textbook_formula(n, a):
    if n <= a:
        assert erlang_c(n, float(a)) == 1.0
    else:
        assert erlang_c(n, float(a)) == pytest.approx(float(_erlang_c_textbook(n, a)), rel=1e-9)


@given(st.floats(0.01, 200), st.floats(1, 900), st.floats(0, 60), st.floats(0.05, 0.99))
def test_agents_needed_is_the_fewest_that_reach_the_goal(traffic, aht, target, goal):
    n = agents_needed(traffic, aht, target, goal)
    assert service_level(n, traffic, aht, target) >= goal
    assert n - 1 <= traffic or service_level(n - 1, traffic, aht, target) < goal


def test_no_traffic_needs_no_agent_and_never_waits():
    assert agents_needed(0.0, 180, 12, 0.8) == 0
    assert erlang_c(0, 0.0) == 0.0
    assert service_level(3, 0.0, 180, 12) == 1.0
    assert average_speed_of_answer(3, 0.0, 180) == 0.0


def test_overloaded_queue_waits_forever():
    assert erlang_c(5, 5.0) == 1.0
    assert service_level(5, 7.5, 180, 12) == 0.0
    assert average_speed_of_answer(5, 5.0, 180) == math.inf


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_c(-1, 1.0), "agents must be an integer >= 0"),
        (lambda: erlang_c(2, -1.0), "traffic must be a finite number"),
        (lambda: erlang_c(2, math.nan), "traffic must be a finite number"),
        (lambda: service_level(2, 1.0, 0, 12), "aht_s must be a finite number > 0"),
        (lambda: service_level(2, 1.0, 180, -1), "target_s must be"),
        (lambda: agents_needed(1.0, 180, 12, 1.0), "goal must be a share strictly between 0 and 1"),
        (lambda: agents_needed(50.0, 180, 12, 0.8, max_agents=20), "need more than 20 agents"),
        (lambda: offered_traffic(10, 0, 180), "interval_s must be a finite number > 0"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
