"""Build and render a report OFF the daemon's event loop (that loop carries the live calls).

A year report reads and folds a year of calls: seconds of SQL and Python. `render_report` runs the
whole of it (query + compute + render) in `deps.offload`, a thread pool, on that thread's own event
loop with its own short-lived engine (made from database.url, disposed after), so nothing of it
touches the daemon's loop or its connection pool; the loop only awaits the finished text.

The figures are the ones `hotline report` prints for the same period: the config's company,
agents, categories, answer target and acd.wrap_up_seconds, a staffing goal of 80 %, and a period not over
yet counted up to the clock's now.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.reports.export import to_csv, to_json
from hotline.reports.figures import Thresholds
from hotline.reports.html import render_html
from hotline.reports.period import Period
from hotline.reports.report import Report, build_report
from hotline.settings import Settings
from hotline.store.db import make_engine
from hotline.store.utc_datetime import require_aware
from hotline.web.deps import WebDeps

STAFFING_GOAL = 0.8  # `hotline report --goal` default
RENDERERS: dict[str, Callable[[Report], str]] = {"html": render_html, "csv": to_csv, "json": to_json}


async def build_site_report(engine: AsyncEngine, settings: Settings, period: Period, now: datetime) -> Report:
    """The report of `period` with the site's settings, as `hotline report` builds it."""
    return await build_report(
        engine,
        period,
        company=settings.company,
        thresholds=Thresholds(answer_target_s=settings.answer_target.seconds),
        agents=[(a.id, a.name or None) for a in settings.agents],
        goal=STAFFING_GOAL,
        wrap_up_s=settings.acd.wrap_up_seconds,
        now=now,
        categories=settings.categories,
    )


async def _build_and_render(settings: Settings, period: Period, fmt: str, now: datetime) -> str:
    engine = make_engine(settings.database.url)
    try:
        report = await build_site_report(engine, settings, period, now)
    finally:
        await engine.dispose()
    return RENDERERS[fmt](report)


def render_blocking(settings: Settings, period: Period, fmt: str, now: datetime) -> str:
    """The report as text (html, csv or json), on the calling thread and its own event loop."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}: one of {', '.join(RENDERERS)}")
    require_aware(now, "now")
    return asyncio.run(_build_and_render(settings, period, fmt, now))


async def render_report(deps: WebDeps, period: Period, fmt: str) -> str:
    """`render_blocking` in `deps.offload`: this loop only waits for the text.

    A request that goes away does not stop the work already started in the pool (a thread cannot
    be cancelled); the pool's size bounds how many reports run at once."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(deps.offload, render_blocking, deps.settings, period, fmt, deps.clock())
