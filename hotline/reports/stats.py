"""`compute_stats(engine, period)`: the center's and the agents' figures for one period.

The SQL (slot_query.py, queries.py) aggregates; this module only adds up the small results:
quarter hours into local days and hours of the day, categories into seed 002's share tables
(category_tables.py: which calls each table counts, its denominators, its order).
Every local day and every hour of the period is present, with zero Counts if it had no call.

Per agent, `answered`, talk and survey come from the calls (counted on the call's start day, like
everything else; fallback calls the agent took included); `offered` and `no_answer` from the ACD's
offer events, counted when the offer was made. At a period's edge the two can disagree by a call,
and the fallback makes no offer events, so answer_rate can exceed 1 there.
Logged-in and pause time come from the agents' state changes (pause.py, pause_query.py), counted
until the period end or `now`, whichever is earlier.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import add
from typing import Any, Concatenate, ParamSpec, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.reports.category_tables import Share, agent_categories, shares
from hotline.reports.figures import DEFAULT_THRESHOLDS, Counts, Thresholds, count_values, ratio
from hotline.reports.pause import AgentTime
from hotline.reports.pause_query import agent_time
from hotline.reports.period import Period
from hotline.reports.queries import AnsweredGroup, OtherGroup
from hotline.reports.slot_query import AFTER_TRANSFER_ONLY, FALLBACK
from hotline.reports.sources import RAW, ROLLED
from hotline.settings.categories import UNCATEGORISED, Categories
from hotline.store.utc_datetime import require_aware

INBOUND_OUTCOMES = (
    "ivr_only",
    "agent_answered",
    "abandoned_queue",
    "abandoned_ringing",
    "message_left",
    "callback_requested",
    "failed",
    "blocked",
)
OUTBOUND_OUTCOMES = ("answered", "busy", "no_answer", "cancelled", "failed", "blocked")
IN_PROGRESS = "in_progress"  # the outcome key of calls that have not ended
log = structlog.get_logger("reports")
_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True)
class AgentRow:
    agent_id: str  # 工号
    name: str | None
    offered: int  # ACD `offer` events for this agent
    no_answer: int  # ACD `no_answer` events: the agent let it ring the whole 4 rings
    answered: int  # inbound calls the agent answered (talk and survey: of those calls)
    talk_n: int
    talk_sum_s: float
    survey_n: int
    survey_sum: int
    logged_in_s: float = 0.0  # in any state but logged_out (paused included)
    paused_s: float = 0.0  # = the sum of paused_by_reason
    paused_by_reason: Mapping[str, float] = field(default_factory=dict)  # reason -> seconds, only > 0

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
    agent_categories: list[Share]  # answered calls by the agent's category, else the menu's
    agents: list[AgentRow]
    # agent-answered calls by where their category came from: disposition / menu (fell back) / none
    agent_category_sources: dict[str, int] = field(default_factory=dict)

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


def _add(sums: dict[Any, list[Any]], key: Any, values: Sequence[Any]) -> None:
    have = sums.get(key)
    sums[key] = list(values) if have is None else list(map(add, have, values))


def _spread(
    period: Period, slots: dict[int, Counts]
) -> tuple[list[tuple[date, Counts]], list[tuple[int, Counts]], dict[tuple[date, int], Counts]]:
    """Quarter hours into local (day, hour)s, days and hours of the day: sums of plain lists (a
    year has 35,040 quarter hours), added in the same order as Counts + Counts would."""
    hours: dict[Any, list[Any]] = {}
    for slot, counts in slots.items():
        _add(hours, period.local_hour_of_slot(slot), count_values(counts))
    by_day: dict[Any, list[Any]] = {}
    by_hour: dict[Any, list[Any]] = {}
    for (day, hour), values in hours.items():
        _add(by_day, day, values)
        _add(by_hour, hour, values)

    def summed(sums: dict[Any, list[Any]], key: Any) -> Counts:
        return Counts(*sums[key]) if key in sums else Counts()

    return (
        [(d, summed(by_day, d)) for d in period.days],
        [(h, summed(by_hour, h)) for h in range(24)],
        {key: Counts(*values) for key, values in hours.items()},
    )


def _other_tables(
    groups: list[OtherGroup], center: Counts, categories: Categories
) -> tuple[dict[str, int], list[Share], dict[str, int], float]:
    """-> inbound outcomes, IVR functions (self-service calls by category), outbound outcomes and
    outbound talk time."""
    # fallback: listed when the fallback took calls (center.fallback is always there); other:
    # outcomes outside the vocabulary
    listed = (*INBOUND_OUTCOMES, *((FALLBACK,) if center.fallback else ()), IN_PROGRESS, "other")
    inbound = dict.fromkeys(listed, 0)
    inbound["agent_answered"] = center.answered - center.fallback_answered  # those are under fallback
    ivr: dict[str, int] = defaultdict(int)
    outbound = dict.fromkeys((*OUTBOUND_OUTCOMES, IN_PROGRESS), 0)
    talk_out = 0.0
    for g in groups:
        key = g.outcome or IN_PROGRESS
        if g.direction == "inbound":
            inbound[key if key in inbound else "other"] += g.calls
            if g.outcome not in (None, "blocked", FALLBACK, *AFTER_TRANSFER_ONLY) and not g.queued:
                ivr[g.category or UNCATEGORISED] += g.calls
        else:
            outbound[key] = outbound.get(key, 0) + g.calls
            talk_out += g.talk_sum_s
    return inbound, shares(ivr, tuple(categories.ivr_functions), handled=center.handled), outbound, talk_out


def _agent_categories(
    groups: dict[tuple[str | None, str | None, str | None], AnsweredGroup],
    center: Counts,
    categories: Categories,
) -> tuple[list[Share], dict[str, int]]:
    """-> the agent table's rows and the calls per category source (category_tables.SOURCES)."""
    folded = agent_categories((disposed, menu, g.calls) for (_agent, disposed, menu), g in groups.items())
    order = tuple(categories.agent_categories)
    rows = shares(folded.counts, order, handled=center.handled, from_menu=folded.from_menu)
    return rows, folded.sources


def _agents(
    known: Sequence[tuple[str, str | None]],
    answered: dict[tuple[str | None, str | None, str | None], AnsweredGroup],
    offers: dict[str, dict[str, int]],
    times: dict[str, AgentTime],
) -> list[AgentRow]:
    calls: dict[str, AnsweredGroup] = {}
    for (agent_id, _disposed, _menu), g in answered.items():
        if agent_id is not None:
            c = calls.get(agent_id, AnsweredGroup(0, 0, 0.0, 0, 0))
            calls[agent_id] = AnsweredGroup(
                c.calls + g.calls,
                c.talk_n + g.talk_n,
                c.talk_sum_s + g.talk_sum_s,
                c.survey_n + g.survey_n,
                c.survey_sum + g.survey_sum,
            )
    names = dict(known)
    rows = []
    for agent_id in sorted(set(names) | set(calls) | set(offers) | set(times)):
        c = calls.get(agent_id, AnsweredGroup(0, 0, 0.0, 0, 0))
        o = offers.get(agent_id, {})
        t = times.get(agent_id, AgentTime())
        rows.append(
            AgentRow(
                agent_id,
                names.get(agent_id),
                o.get("offer", 0),
                o.get("no_answer", 0),
                c.calls,
                c.talk_n,
                c.talk_sum_s,
                c.survey_n,
                c.survey_sum,
                t.logged_in_s,
                t.paused_s,
                dict(t.paused_by_reason),
            )
        )
    return rows


async def _on_own_connection(
    engine: AsyncEngine,
    query: Callable[Concatenate[AsyncConnection, _P], Awaitable[_T]],
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> _T:
    async with engine.connect() as conn:
        return await query(conn, *args, **kwargs)


async def _all(*coroutines: Awaitable[Any]) -> list[Any]:
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


async def compute_stats(
    engine: AsyncEngine,
    period: Period,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    agents: Sequence[tuple[str, str | None]] = (),
    *,
    now: datetime | None = None,
    categories: Categories | None = None,
    rollup: bool = False,
) -> Stats:
    """All figures of `period`. `agents` = (工号, name) of the configured agents: each gets a row
    even without calls; agents found in the data but no longer configured are listed too.
    `categories`: the site's lists, the order of the category tables (None: the defaults).
    `now` (aware; the caller reads the clock): states still open count until then if the period
    is not over; None takes the period as over (open states count until its end).

    The five queries run at once on their own connections (the database works on them in
    parallel; on SQLite too, each in its own thread). `rollup`: read whole UTC days from the
    report rollup where it is current (rollup_read.py; the same figures, much faster over months)."""
    if now is not None:
        require_aware(now, "now")
    q = ROLLED if rollup else RAW
    slots, answered, others, offers, times = await _all(
        _on_own_connection(engine, q.center_slots, period, thresholds),
        _on_own_connection(engine, q.answered_groups, period),
        _on_own_connection(engine, q.other_groups, period),
        _on_own_connection(engine, q.agent_offers, period),
        _on_own_connection(engine, agent_time, period, now, [agent_id for agent_id, _ in agents]),
    )
    by_day, by_hour, by_day_hour = _spread(period, slots)
    center = Counts.total(slots.values())
    cats = categories if categories is not None else Categories()
    inbound, ivr, outbound, talk_out = _other_tables(others, center, cats)
    agent_rows, sources = _agent_categories(answered, center, cats)
    return Stats(
        period,
        thresholds,
        center,
        by_day,
        by_hour,
        by_day_hour,
        inbound,
        outbound,
        talk_out,
        ivr,
        agent_rows,
        _agents(agents, answered, offers, times),
        sources,
    )
