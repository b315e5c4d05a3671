"""Live events (MQTT) and Prometheus metrics, built from the settings and fed by daemon state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from acd.trunks import TrunkCapacity
from hotline.bus import EventBus, OutageNotice
from hotline.clock import utcnow
from hotline.observability.metrics import Metrics
from hotline.selfservice.notices import add_notice
from hotline.settings import Settings


def make_metrics(settings: Settings, trunks: TrunkCapacity) -> Metrics:
    metrics = Metrics()
    metrics.set_trunk_capacity(settings.trunks.inbound, settings.trunks.outbound)
    metrics.on_scrape(lambda: metrics.set_trunks(trunks.in_use("inbound"), trunks.in_use("outbound")))
    metrics.on_scrape(lambda: metrics.set_calls_in_progress(len(trunks.calls)))
    return metrics


def watch_acd(
    bus: EventBus, metrics: Metrics, trunks: TrunkCapacity, acd_snapshot: Callable[[], Mapping[str, Any]]
) -> None:
    """The queue snapshot (MQTT, retained) and the queue/agent gauges come from one place."""

    def snapshot() -> dict[str, Any]:
        return {
            "calls_in_progress": len(trunks.calls),
            **acd_snapshot(),
            "lines_in_use": {"inbound": trunks.in_use("inbound"), "outbound": trunks.in_use("outbound")},
        }

    def gauges() -> None:
        snap = acd_snapshot()
        metrics.set_waiting(snap["waiting"])
        metrics.set_agents(snap["agents"])

    bus.set_snapshot_provider(snapshot)
    metrics.on_scrape(gauges)


def make_bus(settings: Settings, engine: AsyncEngine, trunks: TrunkCapacity, metrics: Metrics) -> EventBus:
    async def on_outage(n: OutageNotice) -> None:
        """An outage notice from the dispatch side becomes a stored notice the IVR reads out."""
        await add_notice(
            engine,
            area_code=n.area_code,
            area_name=n.area_name,
            towns=n.towns,
            starts_at=n.starts_at,
            ends_at=n.ends_at,
            reason=n.reason,
            kind=n.kind,
            now=utcnow(),
        )

    mq = settings.mqtt
    bus = EventBus(
        mq,
        on_outage=on_outage,
        on_drop=metrics.mqtt_dropped,
        snapshot_interval=mq.snapshot_seconds if mq else 5.0,
        max_queued=mq.max_queued_events if mq else 10_000,
    )
    return bus
