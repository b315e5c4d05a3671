"""The login rate limit (pure: `now` is passed in): after `attempts` failed logins within
`window` for the same user name, or from the same address, logins for that name or from that
address are refused until enough of those failures have left the window, even with the right
password. A successful login clears its user name's count, not its address's (one valid
account must not let an address keep guessing others). Kept in memory: the daemon is one process,
and a restart forgetting a few minutes of failures is acceptable."""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime, timedelta

MAX_KEYS = 20_000  # bounded memory under a spray of random names from many addresses


class LoginRateLimit:
    def __init__(self, attempts: int, window: timedelta, max_keys: int = MAX_KEYS) -> None:
        if attempts < 1 or window <= timedelta(0):
            raise ValueError("attempts must be >= 1 and window positive")
        self.attempts = attempts
        self.window = window
        self._max_keys = max_keys
        self._failures: dict[str, deque[datetime]] = {}

    def retry_after(self, username: str, address: str | None, now: datetime) -> timedelta | None:
        """How long until a login for `username` from `address` is allowed again; None = now."""
        waits = [w for key in _keys(username, address) if (w := self._wait(key, now)) is not None]
        return max(waits) if waits else None

    def failed(self, username: str, address: str | None, now: datetime) -> None:
        for key in _keys(username, address):
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
        self._bound(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(_name_key(username), None)

    def _wait(self, key: str, now: datetime) -> timedelta | None:
        times = self._recent(key, now)
        if len(times) < self.attempts:
            return None
        return times[-self.attempts] + self.window - now

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def _bound(self, now: datetime) -> None:
        if len(self._failures) <= self._max_keys:
            return
        for key in [k for k, t in self._failures.items() if t[-1] <= now - self.window]:
            del self._failures[key]
        while len(self._failures) > self._max_keys:  # still a flood: forget the oldest keys
            del self._failures[next(iter(self._failures))]


def minutes_left(wait: timedelta) -> int:
    """Whole minutes to tell the user (at least 1)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def _name_key(username: str) -> str:
    return "u:" + username.casefold()[:64]


def _keys(username: str, address: str | None) -> tuple[str, str]:
    return _name_key(username), "a:" + (address or "unknown")
