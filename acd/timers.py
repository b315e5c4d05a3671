"""Timers the core has asked for: key -> (kind, agent or call id).

Keys carry a counter, so each is used once: a `TimerFired` that raced its `CancelTimer` finds
nothing here and is ignored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from .commands import CancelTimer, Command, StartTimer


class Timers:
    def __init__(self) -> None:
        self.active: dict[str, tuple[str, str]] = {}
        self._no = count(1)

    def start(self, kind: str, ident: str, now: datetime, after_s: float, out: list[Command]) -> str:
        key = f"{kind}:{ident}:{next(self._no)}"
        self.active[key] = (kind, ident)
        out.append(StartTimer(key, now + timedelta(seconds=after_s)))
        return key

    def cancel(self, key: str | None, out: list[Command]) -> None:
        if key is not None and self.active.pop(key, None) is not None:
            out.append(CancelTimer(key))

    def get(self, key: str) -> tuple[str, str] | None:
        return self.active.get(key)

    def done(self, key: str) -> None:
        """It fired and is being handled."""
        del self.active[key]

    def __len__(self) -> int:
        return len(self.active)
