"""Outage notices from the dispatch side over a real mosquitto: valid ones reach the daemon's
callback (and the notice store), bad ones are logged and dropped, and the bus keeps working."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone

import aiomqtt
import pytest
from mqtt_broker import MosquittoBroker
from polling import until
from structlog.testing import capture_logs

from hotline.bus import EventBus, OutageNotice
from hotline.selfservice import NoticeError, add_notice, outages_for_area
from hotline.settings import Mqtt
from hotline.store.db import make_engine, upgrade

CST = timezone(timedelta(hours=8))
VALID = {
    "area_code": "110105",
    "area_name": "城关供电所",
    "towns": ["城关镇", " 东关镇 "],
    "starts_at": "2026-07-01T08:00:00+08:00",
    "ends_at": "2026-07-01T12:30:00+08:00",
    "reason": "线路检修",
    "kind": "planned",
}


@pytest.fixture
def broker() -> Iterator[MosquittoBroker]:
    b = MosquittoBroker()
    b.start()
    try:
        yield b
    finally:
        b.cleanup()


@asynccontextmanager
async def running(bus: EventBus) -> AsyncIterator[EventBus]:
    task = asyncio.create_task(bus.run(), name="bus")
    try:
        await until(lambda: bus.connected, 10, "bus connected and subscribed")
        yield bus
    finally:
        await bus.close()
        await asyncio.wait({task})
        task.result()


async def send_all(broker: MosquittoBroker, topic: str, payloads: list[bytes]) -> None:
    async with aiomqtt.Client(broker.host, broker.port) as client:
        for payload in payloads:
            await client.publish(topic, payload, qos=1)


def variant(**changes) -> bytes:
    doc = {**VALID, **changes}
    return json.dumps({k: v for k, v in doc.items() if v is not None}, ensure_ascii=False).encode()


async def test_valid_notice_reaches_the_callback_and_bad_ones_are_dropped(broker):
    cfg = Mqtt(host=broker.host, port=broker.port, topic_prefix=f"t{uuid.uuid4().hex[:8]}")
    received: list[OutageNotice] = []

    async def on_outage(notice: OutageNotice) -> None:
        if notice.area_code == "999999":
            raise NoticeError("area 999999 is not ours")
        if notice.area_code == "888888":
            raise RuntimeError("database is down")
        received.append(notice)

    bad = [
        b"{not json",
        "停电".encode(),  # not JSON either
        b"\xff\xfe",  # not UTF-8
        variant(reason=None),  # missing field
        variant(ends_at="2026-07-01T07:00:00+08:00"),  # ends before it starts
        variant(starts_at="2026-07-01T08:00:00"),  # no offset
        variant(starts_at=1782864000),  # a number, not ISO text
        variant(kind="maybe"),
        variant(towns=[]),
        variant(area_code="12a"),
        variant(extra="x"),
        variant(area_code="999999"),  # the callback raises NoticeError
        variant(area_code="888888"),  # the callback fails otherwise
    ]
    bus = EventBus(cfg, on_outage=on_outage)
    with capture_logs() as logs:
        async with running(bus):
            await send_all(broker, f"{cfg.topic_prefix}/dispatch/outage", [*bad, variant()])
            await until(lambda: bus.outages_accepted == 1, 10, "the valid notice accepted")
            assert bus.outages_rejected == len(bad) and bus.connects == 1
    notice = received[0]
    assert notice.starts_at == datetime(2026, 7, 1, 8, 0, tzinfo=CST)
    assert notice.ends_at.utcoffset() == timedelta(hours=8)
    assert notice.towns == ["城关镇", "东关镇"] and notice.kind == "planned"
    rejected = [e for e in logs if e["event"] == "bus.outage_rejected"]
    assert len(rejected) == len(bad) - 1
    reasons = [e["reason"] for e in rejected]
    assert any("Invalid JSON" in r for r in reasons)
    assert any(r.startswith("reason: Field required") for r in reasons)
    assert any("must be after starts_at" in r for r in reasons)
    assert any("starts_at: Input should have timezone info" in r for r in reasons)
    assert "area 999999 is not ours" in reasons
    failed = [e for e in logs if e["event"] == "bus.outage_handler_failed"]
    assert [e["area_code"] for e in failed] == ["888888"]


async def test_notice_from_dispatch_lands_in_the_notice_store(broker, tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    await upgrade(url)
    engine = make_engine(url)
    now = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)

    async def on_outage(n: OutageNotice) -> None:  # what the daemon passes
        await add_notice(
            engine,
            area_code=n.area_code,
            area_name=n.area_name,
            towns=n.towns,
            starts_at=n.starts_at,
            ends_at=n.ends_at,
            reason=n.reason,
            kind=n.kind,
            now=now,
        )

    cfg = Mqtt(host=broker.host, port=broker.port, topic_prefix=f"t{uuid.uuid4().hex[:8]}")
    bus = EventBus(cfg, on_outage=on_outage)
    try:
        async with running(bus):
            await send_all(broker, f"{cfg.topic_prefix}/dispatch/outage", [variant(kind="fault")])
            await until(lambda: bus.outages_accepted == 1, 10, "notice stored")
        (stored,) = await outages_for_area(engine, "110105", now)
        assert stored.kind == "fault" and stored.towns == ("城关镇", "东关镇")
        assert stored.starts_at == datetime(2026, 7, 1, 0, 0, tzinfo=UTC)
    finally:
        await engine.dispose()


async def test_notices_sent_while_the_daemon_was_away_arrive_and_retained_replays_are_ignored(broker):
    cfg = Mqtt(host=broker.host, port=broker.port, topic_prefix=f"t{uuid.uuid4().hex[:8]}")
    topic = f"{cfg.topic_prefix}/dispatch/outage"
    received: list[OutageNotice] = []

    async def on_outage(notice: OutageNotice) -> None:
        received.append(notice)

    async with running(EventBus(cfg, on_outage=on_outage)):
        pass  # the first run leaves a persistent session on the broker
    async with aiomqtt.Client(broker.host, broker.port) as dispatch:
        await dispatch.publish(topic, variant(area_code="220202"), qos=1)  # daemon away
        await dispatch.publish(topic, variant(area_code="330303"), qos=1, retain=True)
    bus = EventBus(cfg, on_outage=on_outage)
    async with running(bus):
        # both were queued for our session and arrive once; the broker's retained copy of the
        # second is replayed at our (re)subscribe, flagged retained, and ignored: no duplicate
        await until(lambda: bus.outages_accepted + bus.outages_rejected == 3, 10, "all handled")
    assert [n.area_code for n in received] == ["220202", "330303"]
    assert (bus.outages_accepted, bus.outages_rejected) == (2, 1)
