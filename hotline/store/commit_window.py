"""How long the recorder's writer waits, woken with less than a full batch, before committing it
(group commit): the longer it waits, the more records share a transaction, and the more of the
newest records a killed daemon loses.

Two windows, the larger applies:
  linger_s      - always (database.commit_linger_ms, default 0: commit at once).
  busy_window_s - only while records arrive faster than BUSY_RATE (20) a second
                  (database.commit_busy_window_ms, default 250 ms).

The busy window is PostgreSQL's commit_delay/commit_siblings idea: wait only when others are
about to commit too. A center of 12 lines sends a record a second at its busiest, so its records
are committed at once, as with no window; a burst of calls sends hundreds, each alone in its own
transaction without a window (half a millisecond of CPU each on the 2-core lab), and a short wait lets
them share one: at 100-400 lab callers the daemon's CPU per call fell from 11-13 ms with 20 ms to
8-10 ms with 100 ms; 250 ms took another tenth off its share of Asterisk's CPU at 50 and 200
callers (README "Configuration"). The arrival rate is a moving average of the gaps
between arrivals, starting as quiet. Records that come within a millisecond of each other are
one arrival (a call's end and its last steps, written together, are not load); it takes six
arrivals at 40 a second (150 ms) to count as load, and the first record after 250 ms without
one ends the busy state.
"""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_LINGER_S = 0.0
DEFAULT_BUSY_WINDOW_S = 0.25
BUSY_RATE = 20.0  # records a second: about 2 new calls a second, 40 times a 12-line center
SMOOTHING = 0.5  # weight of the newest gap in the moving average (about the last 2-3 gaps)
SAME_INSTANT_S = 0.001  # records closer together than this are one arrival
QUIET_GAP_S = 1.0  # where the average starts, and the most one gap counts for
MAX_WINDOW_S = 1.0


def _checked(name: str, seconds: float) -> float:
    if not 0 <= seconds <= MAX_WINDOW_S:  # NaN fails the comparison too
        raise ValueError(f"{name} must be between 0 and {MAX_WINDOW_S} seconds, got {seconds}")
    return seconds


class CommitWindow:
    """`arrived()` at each record accepted; `wait_s()` when the writer wakes with records to write."""

    def __init__(self, linger_s: float, busy_window_s: float, clock: Callable[[], float]) -> None:
        self.linger_s = _checked("linger_s", linger_s)
        self.busy_window_s = _checked("busy_window_s", busy_window_s)
        self._clock = clock
        self._last: float | None = None
        self._gap_s = QUIET_GAP_S  # moving average of the gaps between records

    def arrived(self) -> None:
        now = self._clock()
        if self._last is not None:
            gap = min(max(0.0, now - self._last), QUIET_GAP_S)
            if gap < SAME_INSTANT_S:
                return  # the same arrival as the record before (a clock stepping back too)
            self._gap_s = (1 - SMOOTHING) * self._gap_s + SMOOTHING * gap
        self._last = now

    @property
    def busy(self) -> bool:
        """Records arrive faster than BUSY_RATE a second (on the moving average)."""
        return self._gap_s * BUSY_RATE < 1

    def wait_s(self) -> float:
        return max(self.linger_s, self.busy_window_s if self.busy else 0.0)
