"""Live events on a real mosquitto: order and seq, a dead broker never blocks, reconnect, snapshots."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiomqtt
import pytest
from mqtt_broker import MosquittoBroker, free_port
from polling import until

from hotline.bus import EventBus, event_bus
from hotline.bus.payload import to_json
from hotline.settings import Mqtt


@pytest.fixture
def broker() -> Iterator[MosquittoBroker]:
    b = MosquittoBroker(persistent=True)
    b.start()
    try:
        yield b
    finally:
        b.cleanup()


def mqtt_settings(broker: MosquittoBroker) -> Mqtt:
    return Mqtt(host=broker.host, port=broker.port, topic_prefix=f"t{uuid.uuid4().hex[:8]}/hotline")


@asynccontextmanager
async def running(bus: EventBus) -> AsyncIterator[EventBus]:
    task = asyncio.create_task(bus.run(), name="bus")
    try:
        yield bus
    finally:
        await bus.close()
        await asyncio.wait({task})
        assert not task.cancelled(), "close() had to cancel run()"
        task.result()  # run() must end cleanly


@asynccontextmanager
async def subscribed(broker: MosquittoBroker, topic: str, **client_kw) -> AsyncIterator[list]:
    """Collect (topic, retain, decoded payload) of every message on `topic` while inside."""
    got: list[tuple[str, bool, object]] = []
    async with aiomqtt.Client(broker.host, broker.port, **client_kw) as client:

        async def pump() -> None:
            async for m in client.messages:
                text = m.payload.decode()
                got.append((str(m.topic), m.retain, json.loads(text) if text[:1] == "{" else text))

        pump_task = asyncio.create_task(pump())
        await client.subscribe(topic, qos=1)
        try:
            yield got
        finally:
            pump_task.cancel()
            await asyncio.wait({pump_task})


async def test_subscriber_sees_events_in_order_with_seq_and_timestamps(broker):
    cfg = mqtt_settings(broker)
    kinds = ["call_started", "ivr_step", "queued", "offered", "answered", "call_ended", "agent_state"]
    async with subscribed(broker, f"{cfg.topic_prefix}/events/#") as got:
        async with running(EventBus(cfg)) as bus:
            for i in range(350):
                kind = kinds[i % len(kinds)]
                assert bus.publish(kind, {"uniqueid": f"u{i // 7}", "n": i, "名": "座席"}) == i + 1
            await until(lambda: len(got) == 350 and bus.delivered == 350, 10, "350 events delivered")
            assert bus.delivered == 350 and bus.dropped == 0 and bus.queued == 0
    assert [payload["seq"] for _, _, payload in got] == list(range(1, 351))
    for i, (topic, retain, payload) in enumerate(got):
        kind = kinds[i % len(kinds)]
        assert topic == f"{cfg.topic_prefix}/events/{kind}" and not retain
        assert payload["kind"] == kind and payload["n"] == i and payload["名"] == "座席"
        assert datetime.fromisoformat(payload["at"]).utcoffset() is not None


async def test_dead_broker_never_blocks_and_queued_events_arrive_after_restart(broker):
    cfg = mqtt_settings(broker)
    topic = f"{cfg.topic_prefix}/events/#"
    sub = dict(identifier=f"sub-{uuid.uuid4().hex[:8]}", clean_session=False)
    async with subscribed(broker, topic, **sub):
        pass  # a persistent session: the broker keeps our QoS 1 messages while we are away
    bus = EventBus(cfg, max_queued=5000, backoff_min=0.05, backoff_max=0.3)
    async with running(bus):
        await until(lambda: bus.connected, 10, "bus connected")
        bus.publish("call_started", {"uniqueid": "before"})
        await until(lambda: bus.delivered == 1, 10, "first event confirmed")

        await asyncio.to_thread(broker.stop)
        await until(lambda: not bus.connected, 10, "bus noticed the broker died")
        for i in range(10_000):  # publish() is plain synchronous code: it cannot wait for a broker
            bus.publish("ivr_step", {"uniqueid": "during", "i": i})
        assert bus.queued == 5000 and bus.dropped == 5000  # the oldest 5000 made room

        await asyncio.to_thread(broker.start)
        await until(lambda: bus.delivered == 5001, 30, "queued events delivered after reconnect")
        assert bus.connects >= 2 and bus.queued == 0

    async with subscribed(broker, topic, **sub) as got:
        await until(lambda: len(got) == 5001, 30, "the subscriber's 5001 events")
    seqs = [payload["seq"] for _, _, payload in got]
    assert seqs == [1] + list(range(5002, 10_002))  # in order; gap = the dropped oldest
    assert got[-1][2]["i"] == 9999 and got[1][2]["i"] == 5000


async def test_retained_queue_snapshot_reaches_a_late_subscriber(broker):
    cfg = mqtt_settings(broker)
    calls = 0

    def snapshot() -> dict:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("provider bug on the first call")  # logged, the bus goes on
        return {"waiting": 2, "agents": {"ready": 1, "talking": 2}, "n": calls}

    bus = EventBus(cfg, snapshot_interval=0.05)
    bus.set_snapshot_provider(snapshot)
    async with running(bus):
        await until(lambda: calls >= 3, 10, "a few snapshots published")
        async with subscribed(broker, f"{cfg.topic_prefix}/queue") as got:
            await until(lambda: len(got) >= 2, 10, "retained + live snapshots")
        async with subscribed(broker, f"{cfg.topic_prefix}/status") as status:
            await until(lambda: len(status) == 1, 10, "retained status")
    topic, retain, first = got[0]
    assert topic == f"{cfg.topic_prefix}/queue" and retain  # what the broker kept for newcomers
    assert first["waiting"] == 2 and first["agents"] == {"ready": 1, "talking": 2} and first["n"] >= 2
    assert datetime.fromisoformat(first["at"]).utcoffset() is not None
    assert got[1][2]["n"] > first["n"]
    assert status[0][1:] == (True, "online")


async def test_broker_missing_from_the_start_costs_nothing_and_close_returns():
    cfg = Mqtt(host="127.0.0.1", port=free_port())  # nothing listens there
    dropped: list[int] = []
    bus = EventBus(cfg, max_queued=100, backoff_min=0.05, backoff_max=0.1, on_drop=dropped.append)
    async with running(bus):
        for i in range(1000):
            bus.publish("agent_state", {"agent": "001", "state": "ready", "i": i})
        assert bus.queued == 100 and bus.dropped == 900 and sum(dropped) == 900
    assert not bus.connected and bus.connects == 0 and bus.delivered == 0


async def test_without_mqtt_settings_the_bus_only_counts():
    dropped: list[int] = []
    bus = EventBus(None, on_drop=dropped.append)
    async with running(bus):
        for i in range(10_000):
            bus.publish("call_ended", {"uniqueid": str(i), "outcome": "ivr_only"})
    assert (bus.published, bus.seq, bus.queued, bus.dropped, dropped) == (10_000, 10_000, 0, 0, [])


def test_caller_bugs_raise_clear_errors():
    bus = EventBus(None)
    with pytest.raises(ValueError, match="unknown event kind 'call_start'"):
        bus.publish("call_start", {})
    with pytest.raises(ValueError, match=r"reserved keys \['seq'\]"):
        bus.publish("queued", {"seq": 3})
    with pytest.raises(TypeError, match="set, which is not JSON"):
        bus.publish("queued", {"agents": {1, 2}})
    assert bus.seq == 0  # a refused event uses no sequence number


def test_without_a_broker_flat_events_are_not_encoded_and_the_rest_still_checked(monkeypatch):
    encoded: list[object] = []

    def counting(body):
        encoded.append(body)
        return to_json(body)

    monkeypatch.setattr(event_bus, "to_json", counting)
    bus = EventBus(None)
    bus.publish("ivr_step", {"uniqueid": "u1", "node": "top", "key": None})  # a call's steps: flat
    assert encoded == []
    bus.publish("queued", {"uniqueid": "u1", "at_queue": datetime(2026, 12, 3, tzinfo=UTC)})
    assert len(encoded) == 1  # not flat: encoded, so a value that is not JSON is refused
    with pytest.raises(TypeError, match="set, which is not JSON"):
        bus.publish("queued", {"agents": {1, 2}})
