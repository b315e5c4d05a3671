"""`compute_stats(engine, period)`: the center's and the agents' figures for one period.

The SQL (queries.py) aggregates; this module only adds up the small results: quarter hours into
local days and hours of the day, (outcome, category) groups into seed 002's tables.
Every local day and every hour of the period is present, with zero Counts if it had no call.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from .figures import Counts, Thresholds, ratio
from .period import Period
from .queries import agent_calls, agent_offers, categories, outbound_outcomes
from .slot_query import center_slots

OUTBOUND_OUTCOMES = ("answered", "busy", "no_answer", "cancelled", "failed", "blocked")
IN_PROGRESS = "in_progress"  # the outcome key of calls that have not ended
UNCATEGORISED = "unknown"  # the category key of calls without business_category
log = structlog.get_logger("reports")


@dataclass(frozen=True)
class Share:
    key: str
    calls: int
    share: float | None  # calls / all calls of the table; None if the table is empty


def shares(counts: dict[str, int]) -> list[Share]:
    """Largest first (ties by key); keys with zero calls are left out."""
    total = sum(counts.values())
    return [Share(k, n, ratio(n, total)) for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n]


@dataclass(frozen=True)
class AgentRow:
    agent_id: str  # 工号
    name: str | None
    offered: int  # ACD offer events (0 until the ACD logs them)
    no_answer: int  # ACD no_answer events: rang the agent for the whole 4 rings
    answered: int  # inbound calls the agent answered
    talk_n: int
    talk_sum_s: float
    survey_n: int
    survey_sum: int

    @property
    def answer_rate(self) -> float | None:
        return ratio(self.answered, self.offered)

    @property
    def aht_s(self) -> float | None:
        return ratio(self.talk_sum_s, self.talk_n)

    @property
    def survey_avg(self) -> float | None:
        return ratio(self.survey_sum, self.survey_n)


@dataclass(frozen=True)
class Stats:
    period: Period
    thresholds: Thresholds
    center: Counts
    by_day: list[tuple[date, Counts]]
    by_hour: list[tuple[int, Counts]]  # hour of the local day 0..23, summed over the period
    by_day_hour: dict[tuple[date, int], Counts]  # only the (day, hour)s that had calls
    inbound_outcomes: dict[str, int]
    outbound_outcomes: dict[str, int]
    outbound_talk_s: float
    ivr_functions: list[Share]  # self-service calls by the function (category) last used
    agent_categories: list[Share]  # answered calls by business category
    agents: list[AgentRow]

    @property
    def by_month(self) -> list[tuple[str, Counts]]:
        months: dict[str, Counts] = {}
        for day, counts in self.by_day:
            key = f"{day.year:04d}-{day.month:02d}"
            months[key] = months.get(key, Counts()) + counts
        return list(months.items())

    @property
    def outbound_total(self) -> int:
        return sum(self.outbound_outcomes.values())


def _spread(period: Period, slots: dict[int, Counts]):
    by_day_hour: dict[tuple[date, int], Counts] = {}
    for slot, counts in slots.items():
        key = period.local_hour_of_slot(slot)
        by_day_hour[key] = by_day_hour.get(key, Counts()) + counts
    by_day = {d: Counts() for d in period.days}
    by_hour = {h: Counts() for h in range(24)}
    for (day, hour), counts in by_day_hour.items():
        by_day[day] = by_day[day] + counts
        by_hour[hour] = by_hour[hour] + counts
    return list(by_day.items()), list(by_hour.items()), by_day_hour


def _outbound(rows: dict[str | None, tuple[int, float]]) -> tuple[dict[str, int], float]:
    counts = dict.fromkeys((*OUTBOUND_OUTCOMES, IN_PROGRESS), 0)
    for outcome, (calls, _talk) in rows.items():
        key = outcome or IN_PROGRESS
        counts[key] = counts.get(key, 0) + calls
    return counts, sum(talk for _calls, talk in rows.values())


def _category_shares(rows: dict[str | None, tuple[int, int]]) -> tuple[list[Share], list[Share]]:
    ivr: dict[str, int] = defaultdict(int)
    agent: dict[str, int] = defaultdict(int)
    for category, (self_service, answered) in rows.items():
        ivr[category or UNCATEGORISED] += self_service
        agent[category or UNCATEGORISED] += answered
    return shares(ivr), shares(agent)


def _agents(known: Sequence[tuple[str, str | None]], calls, offers) -> list[AgentRow]:
    names = dict(known)
    rows = []
    for agent_id in sorted(set(names) | set(calls) | set(offers)):
        c = calls.get(agent_id)
        o = offers.get(agent_id, {})
        rows.append(AgentRow(agent_id, names.get(agent_id), o.get("offer", 0), o.get("no_answer", 0),
                             c.answered if c else 0, c.talk_n if c else 0, c.talk_sum_s if c else 0.0,
                             c.survey_n if c else 0, c.survey_sum if c else 0))
    return rows


async def _on_own_connection(engine: AsyncEngine, query, *args):
    async with engine.connect() as conn:
        return await query(conn, *args)


async def _all(*coroutines) -> list:
    """Run at once; on the first error stop the others (their own errors are secondary) and raise it."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        return await asyncio.gather(*tasks)
    except Exception as first:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        for task in tasks:
            if not task.cancelled() and (exc := task.exception()) is not None and exc is not first:
                log.warning("report.query_failed_too", error=f"{type(exc).__name__}: {exc}")
        raise


async def compute_stats(engine: AsyncEngine, period: Period, thresholds: Thresholds = Thresholds(),
                        agents: Sequence[tuple[str, str | None]] = ()) -> Stats:
    """All figures of `period`. `agents` = (工号, name) of the configured agents: each gets a row
    even without calls; agents found in the data but no longer configured are listed too.

    The five queries run at once on their own connections (the database works on them in
    parallel; on SQLite too, each in its own thread)."""
    slots, outbound_rows, category_rows, calls, offers = await _all(
        _on_own_connection(engine, center_slots, period, thresholds),
        _on_own_connection(engine, outbound_outcomes, period),
        _on_own_connection(engine, categories, period),
        _on_own_connection(engine, agent_calls, period),
        _on_own_connection(engine, agent_offers, period),
    )
    by_day, by_hour, by_day_hour = _spread(period, slots)
    center = Counts.total(slots.values())
    outbound, talk_out = _outbound(outbound_rows)
    ivr, agent_cats = _category_shares(category_rows)
    return Stats(period, thresholds, center, by_day, by_hour, by_day_hour, center.outcomes(), outbound,
                 talk_out, ivr, agent_cats, _agents(agents, calls, offers))
