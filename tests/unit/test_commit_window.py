"""The recorder's group commit window (hotline/store/commit_window.py): at once while records
trickle in, the busy window once they come faster than twenty a second, the fixed window
always; pure, on an injected clock."""

from __future__ import annotations

import math

import pytest

from hotline.store.commit_window import BUSY_RATE, CommitWindow


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def arrivals(window: CommitWindow, clock: Clock, gaps_s: list[float]) -> None:
    for gap in gaps_s:
        clock.now += gap
        window.arrived()


def test_records_that_trickle_in_are_committed_at_once():
    clock = Clock()
    window = CommitWindow(0.0, 0.02, clock)
    assert window.wait_s() == 0.0  # nothing arrived yet
    arrivals(window, clock, [0.3] * 100)  # about 3 a second: a 12-line center's busy hour
    assert not window.busy and window.wait_s() == 0.0


def test_a_short_burst_is_not_load():
    clock = Clock()
    window = CommitWindow(0.0, 0.02, clock)
    arrivals(window, clock, [0.5, 0.0, 0.0, 0.0, 0.0, 0.0])  # a call's end with its last steps
    assert not window.busy
    arrivals(window, clock, [0.04, 0.04, 0.0, 0.0])  # a few records close together, not a burst
    assert not window.busy


def test_a_steady_rate_above_the_threshold_opens_the_window_and_a_pause_closes_it():
    clock = Clock()
    window = CommitWindow(0.0, 0.02, clock)
    arrivals(window, clock, [0.5 / BUSY_RATE] * 40)  # twice the threshold's rate
    assert window.busy and window.wait_s() == 0.02
    arrivals(window, clock, [5 / BUSY_RATE])  # 250 ms without a record
    assert not window.busy and window.wait_s() == 0.0


def test_just_below_the_threshold_stays_at_once():
    clock = Clock()
    window = CommitWindow(0.0, 0.02, clock)
    arrivals(window, clock, [1.05 / BUSY_RATE] * 500)
    assert not window.busy


def test_the_fixed_window_applies_always_and_the_larger_window_wins():
    clock = Clock()
    window = CommitWindow(0.25, 0.02, clock)
    assert window.wait_s() == 0.25
    arrivals(window, clock, [0.001] * 50)
    assert window.busy and window.wait_s() == 0.25
    assert CommitWindow(0.005, 0.02, clock).wait_s() == 0.005


def test_a_clock_that_steps_back_counts_as_the_same_arrival():
    clock = Clock()
    window = CommitWindow(0.0, 0.02, clock)
    arrivals(window, clock, [0.01] + [-0.5] * 40)
    assert not window.busy  # never a negative average, nor forty arrivals
    arrivals(window, clock, [20.0] + [0.01] * 7)
    assert window.busy


def test_a_burst_of_calls_counts_as_load_after_150_ms():
    clock = Clock()
    window = CommitWindow(0.0, 0.02, clock)
    arrivals(window, clock, [0.0] + [0.025] * 5)  # calls at 40 a second after a quiet time
    assert not window.busy
    arrivals(window, clock, [0.025])
    assert window.busy


def test_records_of_one_instant_are_one_arrival():
    clock = Clock()
    window = CommitWindow(0.0, 0.02, clock)
    for _ in range(30):  # busy-hour calls, each ending with five records at once
        arrivals(window, clock, [0.3, 0.0002, 0.0002, 0.0002, 0.0002])
    assert not window.busy


@pytest.mark.parametrize("bad", [-0.001, 1.001, math.nan, math.inf])
def test_windows_out_of_bounds_are_refused(bad):
    with pytest.raises(ValueError, match="linger_s must be between 0 and 1.0 seconds"):
        CommitWindow(bad, 0.0, Clock())
    with pytest.raises(ValueError, match="busy_window_s must be between 0 and 1.0 seconds"):
        CommitWindow(0.0, bad, Clock())
