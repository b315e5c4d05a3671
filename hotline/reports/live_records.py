"""The records of the live figures (live_day.py): an agent's day, and a day as loaded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.reports.figures import Counts


@dataclass
class AgentDay:
    """One agent's figures of the day (mutable accumulator)."""

    offered: int = 0
    no_answer: int = 0
    answered: int = 0
    talk_n: int = 0
    talk_sum_s: float = 0.0
    survey_n: int = 0
    survey_sum: int = 0


@dataclass(frozen=True)
class DaySoFar:
    """What the loader read for a day (live_load.load_day): the figures of its calls as stored,
    its calls still open (their start rows, for their End), and the rolling windows' recent
    answers (time, wait) and queue arrivals."""

    center: Counts
    by_hour: Mapping[int, Counts]
    agents: Mapping[str, AgentDay]
    outbound_outcomes: Mapping[str, int]
    outbound_talk_s: float
    longest_wait_s: float | None
    open_calls: Sequence[Mapping[str, Any]]
    answers: Sequence[tuple[datetime, float | None]] = ()
    queued: Sequence[datetime] = ()


def data_number(data: Any, key: str) -> float | None:
    """data[key] of an event's JSON data as a float, None if missing or not a number."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
