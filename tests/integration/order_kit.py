"""Shared by the work-order tests: settings, requests, and a stand-in for the bus's queue."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.orders import RepairRequest
from hotline.orders.models import WorkOrderRow
from hotline.settings import Settings

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # Thursday 09:00 in Shanghai


def order_settings(db_url: str = "sqlite+aiosqlite:///unused.db", **sections: Any) -> Settings:
    return Settings.model_validate({"company": "X", "database": {"url": db_url}, **sections})


def repair(**changes: Any) -> RepairRequest:
    fields = {
        "area_code": "110105",
        "address": "城关镇东街 1 号",
        "fault_type": "line",
        "fault_subtype": "断线",
        "description": "整条街停电",
        "caller_number": "13800001111",
        "call_uniqueid": "1764118800.1",
        **changes,
    }
    return RepairRequest.parse({k: v for k, v in fields.items() if v is not None})


class QueueStandIn:
    """Takes dispatch messages as the EventBus does (never waits) and keeps them; `confirm(at)`
    plays the broker's PUBACK for everything handed over so far. The real bus and broker are
    exercised in test_orders_mqtt.py."""

    def __init__(self, *, broker: bool = True) -> None:
        self.broker = broker
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self._waiting: list[Callable[[datetime], None]] = []

    def publish_dispatch(
        self, name: str, body: Mapping[str, Any], *, on_confirmed: Callable[[datetime], None] | None = None
    ) -> bool:
        if not self.broker:
            return False
        self.sent.append((name, dict(body)))
        if on_confirmed is not None:
            self._waiting.append(on_confirmed)
        return True

    def confirm(self, at: datetime) -> None:
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback(at)


async def published_at(engine: AsyncEngine, number: str) -> datetime | None:
    async with engine.connect() as conn:
        return await conn.scalar(select(WorkOrderRow.published_at).where(WorkOrderRow.number == number))
