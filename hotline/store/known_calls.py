"""The recorder's call-time checks: every value against its column, and each call started and
ended once.

The uniqueids of the last calls this process started (and whether they ended) are remembered, so
a second start or a second end raises at the caller instead of being refused in the database
later.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from hotline.store.models import Call, CallEvent, table_of
from hotline.store.validate import checker

_REMEMBERED_CALLS = 50_000  # uniqueids kept in memory to refuse a second start/end at call time
_CALL_CHECKS = checker(table_of(Call))  # per-column checks, built once
_EVENT_CHECKS = checker(table_of(CallEvent))
_START_FIELDS = ("direction", "started_at", "caller_number", "caller_name", "dnid", "trunk", "linkedid")


def event_values(uniqueid: str, at: datetime, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A `call_events` row, checked."""
    if not isinstance(data, dict):
        raise TypeError(f"event data must be a dict, got {type(data).__name__}")
    return _EVENT_CHECKS.values({"call_uniqueid": uniqueid, "at": at, "kind": kind, "data": data})


class KnownCalls:
    """The calls this process started, and whether each has ended (the most recent ones)."""

    def __init__(self) -> None:
        self._calls: OrderedDict[str, bool] = OrderedDict()  # uniqueid -> ended (this process)

    def __contains__(self, uniqueid: str) -> bool:
        return uniqueid in self._calls

    def start_row(self, uniqueid: str, args: dict[str, Any]) -> dict[str, Any]:
        """A `calls` row from the start arguments in `args` (more keys are ignored), checked."""
        row = _CALL_CHECKS.values({"uniqueid": uniqueid, **{n: args[n] for n in _START_FIELDS}})
        if uniqueid in self._calls:
            raise ValueError(f"call {uniqueid!r} was already started")
        return row

    def end_values(
        self, uniqueid: str, ended_at: datetime, outcome: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        """The `calls` columns a call's end sets, checked."""
        _CALL_CHECKS.value("uniqueid", uniqueid)
        if "uniqueid" in fields:
            raise ValueError("uniqueid cannot be changed when a call ends")
        values = _CALL_CHECKS.values({"ended_at": ended_at, "outcome": outcome, **fields})
        if values["outcome"] is None:
            raise ValueError(f"call {uniqueid!r}: outcome is required when a call ends")
        if self._calls.get(uniqueid):
            raise ValueError(f"call {uniqueid!r} already ended; the first end is kept")
        return values

    def remember(self, uniqueid: str, *, ended: bool) -> None:
        self._calls[uniqueid] = ended
        self._calls.move_to_end(uniqueid)
        while len(self._calls) > _REMEMBERED_CALLS:
            self._calls.popitem(last=False)
