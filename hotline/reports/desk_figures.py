"""The report's agent-desk tables, folded from a few query rows (desk_queries.py). Pure.

Surveys by scale: a call's `survey_score` answers either the menu's survey node (`survey_source`
ivr, keys 1-3: 满意 / 基本满意 / 不满意) or the survey after the agent (agent, keys 1-5: 非常满意 ...
非常不满意); 1 is the best mark on both. Averaging the two together means nothing, so each scale
gets its own count, average and distribution (every mark of the scale listed, zeros included; a
mark outside it, e.g. from a menu whose survey offers more keys, listed too). Scores without a
source (rows from before the column) are a third table, `unknown`, shown only when there are some.
Over every inbound call started in the period, like center.survey_n (their counts add up to it).

Repairs by fault type (work_orders of kind repair created in the period), per fault type
(equipment / line / other, all three listed) and sub-type (as the agent wrote it, none last):
- orders, and merged_reports: later reports of the same fault merged into them (seed 000 §24);
- the norm "a repair order within 5 minutes of the call" (seed 000): the delay is published_at
  (sent on MQTT) - the end of the order's call (calls.ended_at via call_uniqueid), 0 when it was
  published before the caller hung up. `with_call` = orders whose call is in the store and has
  ended; `within_target` = those published within PUBLISH_TARGET_S (one never published is not);
  `without_call` = the other orders (made without a call, their call unknown or still going),
  counted apart and in no rate; p50 (the median) and max of the delay over the published ones.

Harassment: per number that heard the warning (call_events harassment_warning, data.number, in
the period), the calls that heard it; the number shown masked (hotline.phone_number.masked).
Numbers are counted apart even when their masks look alike.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hotline.orders.models import FAULT_TYPES
from hotline.phone_number import masked
from hotline.quality.report_table import AgentQuality
from hotline.reports.figures import ratio

SURVEY_SCALES: dict[str, tuple[int, int]] = {"ivr": (1, 3), "agent": (1, 5)}
UNKNOWN_SOURCE = "unknown"
PUBLISH_TARGET_S = 300.0  # a repair order within 5 minutes of the call


@dataclass(frozen=True)
class SurveyTable:
    source: str  # ivr | agent | unknown
    scale: tuple[int, int] | None  # lowest and highest mark; None: unknown
    by_score: dict[int, int]  # mark -> calls, ascending

    @property
    def n(self) -> int:
        return sum(self.by_score.values())

    @property
    def total(self) -> int:
        return sum(score * calls for score, calls in self.by_score.items())

    @property
    def avg(self) -> float | None:
        return ratio(self.total, self.n)


def survey_tables(groups: Iterable[tuple[str | None, int, int]]) -> list[SurveyTable]:
    """From (survey_source, survey_score, calls) groups: ivr, agent, then unknown if any."""
    marks: dict[str, dict[int, int]] = {source: {} for source in SURVEY_SCALES}
    for source, score, calls in groups:
        key = source if source in SURVEY_SCALES else UNKNOWN_SOURCE
        table = marks.setdefault(key, {})
        table[score] = table.get(score, 0) + calls
    tables = []
    for source, seen in marks.items():
        scale = SURVEY_SCALES.get(source)
        listed = dict.fromkeys(range(scale[0], scale[1] + 1), 0) if scale else {}
        listed.update(seen)
        tables.append(SurveyTable(source, scale, dict(sorted(listed.items()))))
    return tables


@dataclass(frozen=True)
class RepairOrder:
    """One repair order as the query reads it."""

    fault_type: str
    fault_subtype: str | None
    merged_reports: int
    published_at: datetime | None
    call_ended_at: datetime | None  # None: no call, an unknown call, or one still going


@dataclass(frozen=True)
class RepairFigures:
    orders: int = 0
    merged_reports: int = 0
    with_call: int = 0
    within_target: int = 0
    without_call: int = 0
    delay_p50_s: float | None = None
    delay_max_s: float | None = None

    @property
    def within_rate(self) -> float | None:
        return ratio(self.within_target, self.with_call)


@dataclass(frozen=True)
class RepairRow:
    fault_type: str
    fault_subtype: str | None  # None: the type's subtotal, or orders without a sub-type
    figures: RepairFigures


@dataclass(frozen=True)
class RepairTable:
    total: RepairFigures = RepairFigures()
    by_type: list[RepairRow] = field(default_factory=list)  # every fault type, FAULT_TYPES order
    by_subtype: list[RepairRow] = field(default_factory=list)  # type order, most orders first


def _delay_s(order: RepairOrder) -> float | None:
    if order.call_ended_at is None or order.published_at is None:
        return None
    return max(0.0, (order.published_at - order.call_ended_at).total_seconds())


def repair_figures(orders: Sequence[RepairOrder]) -> RepairFigures:
    delays = [d for o in orders if (d := _delay_s(o)) is not None]
    return RepairFigures(
        orders=len(orders),
        merged_reports=sum(o.merged_reports for o in orders),
        with_call=sum(1 for o in orders if o.call_ended_at is not None),
        within_target=sum(1 for d in delays if d <= PUBLISH_TARGET_S),
        without_call=sum(1 for o in orders if o.call_ended_at is None),
        delay_p50_s=statistics.median(delays) if delays else None,
        delay_max_s=max(delays) if delays else None,
    )


def repair_table(orders: Sequence[RepairOrder]) -> RepairTable:
    types = [*FAULT_TYPES, *sorted({o.fault_type for o in orders} - set(FAULT_TYPES))]
    by_type = [RepairRow(t, None, repair_figures([o for o in orders if o.fault_type == t])) for t in types]
    by_subtype = []
    for t in types:
        groups: dict[str | None, list[RepairOrder]] = {}
        for o in orders:
            if o.fault_type == t:
                groups.setdefault(o.fault_subtype or None, []).append(o)
        order = sorted(groups, key=lambda s: (s is None, -len(groups[s]), s or ""))
        by_subtype += [RepairRow(t, s, repair_figures(groups[s])) for s in order]
    return RepairTable(repair_figures(orders), by_type, by_subtype)


@dataclass(frozen=True)
class HarassmentRow:
    number: str  # masked: 138****0000
    calls: int  # calls that heard the harassment warning


def harassment_rows(counts: Iterable[tuple[str | None, int]]) -> list[HarassmentRow]:
    """From (national number, calls) groups: most calls first (ties by the number)."""
    ordered = sorted(counts, key=lambda nc: (-nc[1], nc[0] or ""))
    return [HarassmentRow(masked(number), calls) for number, calls in ordered if calls]


@dataclass(frozen=True)
class DeskTables:
    surveys: list[SurveyTable] = field(default_factory=lambda: survey_tables(()))
    repairs: RepairTable = RepairTable()
    harassment: list[HarassmentRow] = field(default_factory=list)
    quality: list[AgentQuality] = field(default_factory=list)  # the supervisors' spot checks

    @property
    def harassment_calls(self) -> int:
        return sum(r.calls for r in self.harassment)
