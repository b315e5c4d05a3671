"""When an agent answered a caller's Dial, from AMI events.

The answer instant is the agent's leg going Up: AMI `Newstate` (ChannelState 6) on the channel
that the caller's `DialBegin` names as `DestUniqueid`. `DialEnd` cannot be used for it: Asterisk
sends it only after the `A()` announcements ("座席…为您服务", the category whisper) have played,
which would count their 3-6 s as ringing and answers inside 4 rings as late. A `DialEnd` ANSWER
still counts when no Up was seen (the event filtered out, an older Asterisk).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from hotline.asterisk.ami_protocol import header

UP = "6"  # AST_STATE_UP


class DialWatch:
    def __init__(self) -> None:
        self._answers: dict[str, datetime | None] = {}  # watched caller uniqueid -> agent answer
        self._callbacks: dict[str, Callable[[], None]] = {}
        self._legs: dict[str, str] = {}  # agent leg uniqueid -> watched caller uniqueid

    def watch(self, uniqueid: str, callback: Callable[[], None]) -> Callable[[], None]:
        self._answers[uniqueid] = None
        self._callbacks[uniqueid] = callback

        def unwatch() -> None:
            self._callbacks.pop(uniqueid, None)

        return unwatch

    def answered_at(self, uniqueid: str) -> datetime | None:
        """When the agent answered; forgets the watch."""
        self._callbacks.pop(uniqueid, None)
        for leg in [leg for leg, caller in self._legs.items() if caller == uniqueid]:
            del self._legs[leg]
        return self._answers.pop(uniqueid, None)

    def on_dial_begin(self, event: Mapping[str, Any]) -> None:
        caller = header(event, "Uniqueid")
        if caller in self._answers:
            self._legs[header(event, "DestUniqueid")] = caller

    def on_newstate(self, event: Mapping[str, Any]) -> None:
        caller = self._legs.get(header(event, "Uniqueid"))
        if caller is not None and header(event, "ChannelState") == UP:
            self._answered(caller, stamp(header(event, "Timestamp")))

    def on_dial_end(self, event: Mapping[str, Any]) -> None:
        caller = header(event, "Uniqueid")
        if caller in self._answers and header(event, "DialStatus") == "ANSWER":
            self._answered(caller, stamp(header(event, "Timestamp")))

    def _answered(self, caller: str, at: datetime) -> None:
        if self._answers.get(caller) is not None:
            return  # the first answer counts (Up before DialEnd)
        self._answers[caller] = at
        callback = self._callbacks.pop(caller, None)
        if callback is not None:
            callback()


def stamp(text: str) -> datetime:
    """An AMI event's `Timestamp` (epoch seconds, when timestampevents=yes), else now."""
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except (ValueError, OverflowError, OSError):
        return datetime.now(UTC)
