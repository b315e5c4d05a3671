"""Peak mode's automatic decision (hotline/services/peak_mode.py) against a real store: the calls
that arrive together while the decision is due share one query, the decision is reused for 30 s
and then asked again, and an outage over enough towns turns it on with one alert."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.selfservice import add_notice
from hotline.services.peak_mode import RECHECK, PeakMode
from hotline.settings import Peak

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def notice_queries(engine: AsyncEngine) -> list[str]:
    """Every statement on `engine` that reads the outage notices, as it is sent."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if "outage_notices" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    return seen


def peak_mode(engine: AsyncEngine, tmp_path: Path, clock: Clock) -> tuple[PeakMode, list[Mapping[str, Any]]]:
    bus = EventBus(None, clock=clock)
    alerts: list[Mapping[str, Any]] = []
    bus.listeners.add(lambda body: alerts.append(body) if body["kind"] == "peak_mode" else None)
    return PeakMode(Peak(flag_file=str(tmp_path / "peak")), engine, bus, clock), alerts


async def test_calls_arriving_together_share_one_query(engine: AsyncEngine, tmp_path: Path) -> None:
    clock = Clock()
    queries = notice_queries(engine)
    peak, _ = peak_mode(engine, tmp_path, clock)
    assert await asyncio.gather(*(peak.check() for _ in range(8))) == [None] * 8  # the center's 8 lines
    assert len(queries) == 1
    clock.now += RECHECK - timedelta(seconds=1)
    assert await asyncio.gather(*(peak.check() for _ in range(8))) == [None] * 8
    assert len(queries) == 1  # reused within 30 s
    clock.now += timedelta(seconds=2)
    await asyncio.gather(*(peak.check() for _ in range(8)))
    assert len(queries) == 2  # due again: one query for all of them


async def test_a_wide_outage_turns_it_on_with_one_alert(engine: AsyncEngine, tmp_path: Path) -> None:
    clock = Clock()
    await add_notice(
        engine,
        area_code="320101",
        area_name="城关",
        towns=["城关镇", "东坝镇"],
        starts_at=T0 - timedelta(hours=1),
        ends_at=T0 + timedelta(hours=3),
        reason="线路故障",
        kind="fault",
        now=T0 - timedelta(hours=1),
    )
    peak, alerts = peak_mode(engine, tmp_path, clock)
    reasons = await asyncio.gather(*(peak.check() for _ in range(3)))
    assert reasons == ["fault outage in 城关 covers 2 towns"] * 3
    assert [(a["active"], a["reason"]) for a in alerts] == [(True, reasons[0])]
    assert await peak.check() == reasons[0] and len(alerts) == 1
