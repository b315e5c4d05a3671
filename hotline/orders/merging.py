"""Repeat fault reports (seed 000 §24): does a new repair report merge into an open order?

The rule. A new report merges into an order that is still open (not closed), is a repair of the
same area and the same fault type (设备 / 线路 / 其他), and whose last report - its creation or
the latest report merged into it - is at most `orders.merge_window_minutes` from the new one.
Among several, the one with the most recent report wins. A window of 0 never merges.

Why these choices: anchoring on the last report keeps a long outage one order while callers keep
reporting it, and lets a new fault in the area (reports stop, then start again later) get its
own order. The fault type must match because a wrong merge costs a fault nobody is sent to,
while a missed merge only costs a second dispatch. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class MergeCandidate:
    order_id: int
    number: str
    fault_type: str
    created_at: datetime
    last_report_at: datetime  # created_at, or the latest merged report


def merge_target(
    candidates: Iterable[MergeCandidate], fault_type: str, at: datetime, window: timedelta
) -> MergeCandidate | None:
    """The open order a report of `fault_type` made `at` merges into, or None (a new order).
    `candidates`: the area's open repair orders."""
    if window <= timedelta(0):
        return None
    fits = [c for c in candidates if c.fault_type == fault_type and abs(at - c.last_report_at) <= window]
    if not fits:
        return None
    return max(fits, key=lambda c: (c.last_report_at, c.created_at, c.order_id))
