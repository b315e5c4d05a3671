"""The login rate limit, with the time passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.web.auth.rate_limit import LoginRateLimit, minutes_left

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=300)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_blocked_after_n_failures_until_the_oldest_leaves_the_window():
    limit = LoginRateLimit(3, WINDOW)
    for s in (0, 10, 20):
        assert limit.retry_after("wang", "10.0.0.1", at(s)) is None
        limit.failed("wang", "10.0.0.1", at(s))
    assert limit.retry_after("wang", "10.0.0.1", at(20)) == timedelta(seconds=280)
    assert limit.retry_after("wang", "10.0.0.9", at(299)) == timedelta(seconds=1)  # same name
    assert limit.retry_after("WANG", "10.0.0.9", at(299)) is not None  # the name in any case
    assert limit.retry_after("wang", "10.0.0.1", at(300)) is None  # one failure left the window


def test_the_same_address_is_blocked_across_names():
    limit = LoginRateLimit(3, WINDOW)
    for i, name in enumerate(("a", "b", "c")):
        limit.failed(name, "10.0.0.1", at(i))
    assert limit.retry_after("wang", "10.0.0.1", at(5)) is not None
    assert limit.retry_after("wang", "10.0.0.2", at(5)) is None


def test_failures_outside_the_window_do_not_count():
    limit = LoginRateLimit(3, WINDOW)
    limit.failed("wang", "a", at(0))
    limit.failed("wang", "a", at(200))
    limit.failed("wang", "a", at(301))
    assert limit.retry_after("wang", "a", at(301)) is None
    limit.failed("wang", "a", at(302))
    assert limit.retry_after("wang", "a", at(302)) == timedelta(seconds=198)


def test_success_clears_the_name_but_not_the_address():
    limit = LoginRateLimit(2, WINDOW)
    limit.failed("wang", "a", at(0))
    limit.failed("li", "a", at(1))
    limit.succeeded("li")
    assert limit.retry_after("zhao", "a", at(2)) is not None  # the address keeps its count
    limit2 = LoginRateLimit(2, WINDOW)
    limit2.failed("wang", "a", at(0))
    limit2.succeeded("wang")
    limit2.failed("wang", "b", at(1))
    assert limit2.retry_after("wang", "c", at(2)) is None


def test_memory_stays_bounded_under_a_spray():
    limit = LoginRateLimit(3, WINDOW, max_keys=100)
    for i in range(1000):
        limit.failed(f"user{i}", f"10.0.{i // 250}.{i % 250}", at(i / 1000))
    assert len(limit._failures) <= 100


def test_minutes_left_rounds_up_to_at_least_one():
    assert minutes_left(timedelta(seconds=1)) == 1
    assert minutes_left(timedelta(seconds=60)) == 1
    assert minutes_left(timedelta(seconds=61)) == 2
    assert minutes_left(timedelta(seconds=300)) == 5


def test_nonsense_limits_are_refused():
    with pytest.raises(ValueError):
        LoginRateLimit(0, WINDOW)
    with pytest.raises(ValueError):
        LoginRateLimit(3, timedelta(0))
