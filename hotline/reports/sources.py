"""Where compute_stats reads its four call queries: the raw rows, or the rollup where it is current
(rollup_read.py: the same signatures and results)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.period import Period
from hotline.reports.queries import AnsweredGroup, OtherGroup, agent_offers, answered_groups, other_groups
from hotline.reports.rollup_read import (
    rolled_agent_offers,
    rolled_answered_groups,
    rolled_center_slots,
    rolled_other_groups,
)
from hotline.reports.slot_query import center_slots


@dataclass(frozen=True)
class Queries:
    center_slots: Callable[[AsyncConnection, Period, Thresholds], Awaitable[dict[int, Counts]]]
    answered_groups: Callable[[AsyncConnection, Period], Awaitable[dict[Any, AnsweredGroup]]]
    other_groups: Callable[[AsyncConnection, Period], Awaitable[list[OtherGroup]]]
    agent_offers: Callable[[AsyncConnection, Period], Awaitable[dict[str, dict[str, int]]]]


RAW = Queries(center_slots, answered_groups, other_groups, agent_offers)
ROLLED = Queries(rolled_center_slots, rolled_answered_groups, rolled_other_groups, rolled_agent_offers)
