"""Trunk capacity: at most N inbound and M outbound calls at once (8 + 4 at the county center).

Pure core: `handle(event, now) -> list[Command]`. The daemon asks before it answers a call or
dials out; a refused inbound call is answered with busy and recorded as `blocked`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from .rules import AcdError

Direction = Literal["inbound", "outbound"]


@dataclass(frozen=True, slots=True)
class Seize:
    call_id: str
    direction: Direction


@dataclass(frozen=True, slots=True)
class Release:
    call_id: str


@dataclass(frozen=True, slots=True)
class Admit:
    call_id: str
    direction: Direction
    in_use: int  # lines of that direction busy including this call


@dataclass(frozen=True, slots=True)
class Refuse:
    call_id: str
    direction: Direction
    reason: str


Event = Seize | Release
Command = Admit | Refuse


class TrunkError(AcdError, ValueError):
    """An event that is illegal in the current state (names the state and the event), or a bad
    capacity."""


class TrunkCapacity:
    def __init__(self, inbound: int, outbound: int) -> None:
        if inbound < 1 or outbound < 0:
            raise TrunkError(f"need inbound >= 1 and outbound >= 0, got {inbound}/{outbound}")
        self.limits: dict[Direction, int] = {"inbound": inbound, "outbound": outbound}
        self.calls: dict[str, tuple[Direction, datetime]] = {}
        self.peak: dict[Direction, int] = {"inbound": 0, "outbound": 0}
        self._used: dict[Direction, int] = {"inbound": 0, "outbound": 0}  # kept with `calls`

    def in_use(self, direction: Direction) -> int:
        """Lines of `direction` held now (counted as calls seize and release them: every new
        call asks, and walking every call in progress each time grew with the load)."""
        return self._used[direction]

    def handle(self, event: Event, now: datetime) -> list[Command]:
        if isinstance(event, Seize):
            if event.call_id in self.calls:
                raise TrunkError(f"call {event.call_id} already holds a line; cannot Seize again")
            used = self.in_use(event.direction)
            if used >= self.limits[event.direction]:
                return [
                    Refuse(
                        event.call_id,
                        event.direction,
                        f"all {self.limits[event.direction]} {event.direction} lines busy",
                    )
                ]
            self.calls[event.call_id] = (event.direction, now)
            self._used[event.direction] = used + 1
            self.peak[event.direction] = max(self.peak[event.direction], used + 1)
            return [Admit(event.call_id, event.direction, used + 1)]
        if isinstance(event, Release):
            held = self.calls.pop(event.call_id, None)
            if held is None:
                raise TrunkError(f"call {event.call_id} holds no line; cannot Release")
            self._used[held[0]] -= 1
            return []
        raise TrunkError(f"unknown event {event!r}")
