"""A clock and a timer scheduler for adapters under test: time moves only when the test says, so
timeouts take no wall time (the `Scheduler` the ACD runtime takes instead of the event loop)."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class _Handle:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeScheduler:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._due: list[tuple[datetime, int, _Handle, Callable[[], None]]] = []
        self._seq = count()

    def call_later(self, delay: float, callback: Callable[[], None]) -> _Handle:
        handle = _Handle()
        at = self.clock.now + timedelta(seconds=delay)
        heapq.heappush(self._due, (at, next(self._seq), handle, callback))
        return handle

    def pending(self) -> int:
        return sum(1 for _, _, handle, _ in self._due if not handle.cancelled)

    def advance(self, seconds: float) -> None:
        """Move the clock on, running each timer that falls due at its own instant, in order."""
        target = self.clock.now + timedelta(seconds=seconds)
        while self._due and self._due[0][0] <= target:
            at, _, handle, callback = heapq.heappop(self._due)
            if not handle.cancelled:
                self.clock.now = max(self.clock.now, at)
                callback()
        self.clock.now = target
