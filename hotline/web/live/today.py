"""Today's figures on the wallboard: the day's figures kept from the recorder's items
(hotline.reports.live_day), loaded once at start, the same weekday last week per hour (loaded
at start and at midnight) and the Erlang C advice for this hour and the next."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.live_advice import staffing_advice
from hotline.reports.live_day import DayFigures
from hotline.reports.live_load import load_day, load_hourly
from hotline.reports.live_window import RecentLevel
from hotline.reports.period import DEFAULT_TZ, Period, day_period, zone
from hotline.settings import Settings
from hotline.store.batch import Item

KPIS = ("connect_rate", "service_level", "abandon_rate", "asa_s")


class Today:
    def __init__(self, engine: AsyncEngine, settings: Settings, day: DayFigures, last_week: list[Counts]):
        self._engine = engine
        self._settings = settings
        self.day = day
        self.last_week = last_week
        self._last_week_of: Period = day.period  # the day whose last week is loaded
        self._during_reload: list[Item] | None = None

    @classmethod
    async def load(cls, engine: AsyncEngine, settings: Settings, now: datetime) -> Today:
        tz = zone(DEFAULT_TZ)
        period = day_period(now.astimezone(tz).date(), tz)
        thresholds = Thresholds(answer_target_s=settings.answer_target.seconds)
        day = await load_day(engine, period, thresholds, _agents(settings), now=now)
        return cls(engine, settings, day, await _last_week(engine, period, thresholds))

    def apply(self, item: Item) -> None:
        self.day.apply(item)
        if self._during_reload is not None:
            self._during_reload.append(item)

    async def reload(self, flush: Callable[[], Awaitable[None]], now: datetime) -> None:
        """Read the day again: rows reached the store by another way than the recorder (the CDR
        ledger recorded calls the fallback took). What the recorder is asked meanwhile is applied
        on top; a call's start or end already loaded is not counted twice (DayFigures keeps the
        first), an ACD event committed during the load itself may be (per-agent offers only)."""
        await flush()
        self._during_reload = []
        try:
            day = await load_day(
                self._engine, self.day.period, self.day.thresholds, _agents(self._settings), now=now
            )
        finally:
            meanwhile, self._during_reload = self._during_reload, None
        for item in meanwhile:
            day.apply(item)
        self.day = day

    async def roll_if_new_day(self, now: datetime) -> bool:
        """At midnight: a fresh day (calls started before it no longer count) and its last week."""
        self.day.advance(now)
        if self.day.period == self._last_week_of:
            return False
        self.last_week = await _last_week(self._engine, self.day.period, self.day.thresholds)
        self._last_week_of = self.day.period  # only once loaded: a failed load is tried again
        return True

    def recent(self, now: datetime) -> RecentLevel:
        return self.day.recent_service_level(now)

    def agents_today(self) -> dict[str, dict[str, Any]]:
        return {a.agent_id: {"answered": a.answered, "talk_s": a.talk_sum_s} for a in self.day.agents}

    def figures(self, now: datetime) -> dict[str, Any]:
        center = self.day.center
        web = self._settings.web
        goal = web.service_level_goal if web is not None else 0.8
        advice = staffing_advice(
            self.day, now, self.last_week, wrap_up_s=self._settings.acd.wrap_up_seconds, goal=goal
        )
        return {
            "day": self.day.period.start.astimezone(self.day.period.tz).date().isoformat(),
            "counts": center.as_dict(),  # every field of `hotline report --day`'s center figures
            "inbound": center.inbound,
            "offered": center.offered,
            "answered": center.answered,
            "blocked": center.blocked,
            **{k: getattr(center, k) for k in KPIS},
            "longest_wait_s": self.day.longest_wait_s,
            "hourly": {
                "today": [c.inbound for _, c in self.day.by_hour],
                "last_week": [c.inbound for c in self.last_week],
            },
            "advice": [asdict(a) for a in advice],
            "advice_rule": f"{self.day.thresholds.answer_target_s:.0f} 秒内接通 {goal:.0%}",
        }


async def _last_week(engine: AsyncEngine, period: Period, thresholds: Thresholds) -> list[Counts]:
    day = period.start.astimezone(period.tz).date() - timedelta(days=7)
    return await load_hourly(engine, day_period(day, period.tz), thresholds)


def _agents(settings: Settings) -> list[tuple[str, str | None]]:
    return [(a.id, a.name or None) for a in settings.agents]
