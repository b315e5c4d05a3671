"""Rolling windows of the live figures: timestamps of the last N minutes, O(1) amortised."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hotline.reports.figures import ratio


@dataclass(frozen=True)
class RecentLevel:
    """Answers in a rolling window and how many came within the answer target."""

    answered: int
    within: int

    @property
    def service_level(self) -> float | None:
        """within / answered; None when nothing was answered in the window."""
        return ratio(self.within, self.answered)


@dataclass
class Window:
    """Times of the last `span` with a flag each (e.g. "answered within the target"). Times are
    appended in the order they happened (a little disorder only delays a trim)."""

    span: timedelta
    items: deque[tuple[datetime, bool]] = field(default_factory=deque)
    flagged: int = 0

    def __post_init__(self) -> None:
        if self.span <= timedelta(0):
            raise ValueError(f"a rolling window must be longer than 0, got {self.span}")

    def add(self, at: datetime, flag: bool) -> None:
        self.items.append((at, flag))
        self.flagged += flag

    def trim(self, now: datetime) -> None:
        """Drop what happened before `now - span`."""
        cutoff = now - self.span
        while self.items and self.items[0][0] < cutoff:
            _at, flag = self.items.popleft()
            self.flagged -= flag

    def count(self, now: datetime) -> tuple[int, int]:
        """(items, flagged items) in [now - span, ...]."""
        self.trim(now)
        return len(self.items), self.flagged
