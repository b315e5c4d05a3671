"""A report = the period's statistics + the staffing advice + the agent-desk tables (surveys by
scale, repairs by fault type, harassment warnings) + what the page needs to title and label it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.reports.desk_figures import DeskTables
from hotline.reports.desk_queries import desk_tables
from hotline.reports.figures import DEFAULT_THRESHOLDS, Thresholds
from hotline.reports.labels import period_title
from hotline.reports.period import Period
from hotline.reports.staffing import StaffingRow, staffing
from hotline.reports.stats import Stats, compute_stats
from hotline.settings.categories import Categories


@dataclass(frozen=True)
class Report:
    stats: Stats
    staffing: list[StaffingRow]
    company: str
    goal: float  # service-level goal of the staffing advice (0.8 = 80 % within the target)
    wrap_up_s: float = 0.0
    categories: Categories = field(default_factory=Categories)  # the site's lists: labels and order
    desk: DeskTables = field(default_factory=DeskTables)

    @property
    def title(self) -> str:
        """Seed 002's style: '国家电网平安县供电服务热线 2026年11月 话务统计分析'."""
        return f"国家电网{self.company}供电服务热线 {period_title(self.stats.period)} 话务统计分析"

    def summary_zh(self) -> str:
        """The opening sentence of seed 002's analysis, with this period's numbers."""
        c = self.stats.center

        def part(n: int) -> str:
            return f"{n / c.handled * 100:.1f}%" if c.handled else "—"

        pending = f"、进行中{c.in_progress}次" if c.in_progress else ""
        return (
            f"电话呼入总量为{c.inbound}次,其中线路全忙未接入{c.blocked}次{pending};接入的{c.handled}次中,"
            f"自动应答次数为{c.ivr_only},占{part(c.ivr_only)};人工接听次数为{c.answered},"
            f"占{part(c.answered)};人工未接电话次数为{c.unanswered},占{part(c.unanswered)}。"
        )


async def build_report(
    engine: AsyncEngine,
    period: Period,
    *,
    company: str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    agents: Sequence[tuple[str, str | None]] = (),
    goal: float = 0.8,
    wrap_up_s: float = 0.0,
    now: datetime | None = None,
    categories: Categories | None = None,
) -> Report:
    """`now`: the current time, for a period that is not over (see compute_stats); `categories`:
    the site's (Settings.categories; None: the defaults). A day's report reads the raw rows; longer
    periods read whole UTC days from the report rollup where it is current (the same figures)."""
    cats = categories if categories is not None else Categories()
    rollup = period.kind != "day"
    stats = await compute_stats(engine, period, thresholds, agents, now=now, categories=cats, rollup=rollup)
    desk = await desk_tables(engine, period, rollup=rollup)
    return Report(stats, staffing(stats, goal, wrap_up_s), company, goal, wrap_up_s, cats, desk)
