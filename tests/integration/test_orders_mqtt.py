"""Work orders over a real mosquitto: a new repair order goes out on <prefix>/dispatch/repair_order
at once and is stamped `published_at` when the broker confirmed it, even if the broker was away
when it was made; <prefix>/dispatch/order_closed closes orders (bad messages logged and dropped);
the daemon wires both (and sends unconfirmed orders again at its start)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import aiomqtt
import pytest
from daemon_settings import daemon_settings
from in_process import daemon_in_process
from order_kit import T0, order_settings, published_at, repair
from polling import until
from sqlalchemy import select
from structlog.testing import capture_logs
from test_bus_events import broker, mqtt_settings, running, subscribed  # noqa: F401  (broker: a fixture)

from hotline.bus import EventBus
from hotline.dialer.models import OutboundJobRow
from hotline.orders import ComplaintRequest, create_complaint, create_repair, order_detail, stored_scheduler
from hotline.orders.order_closed import dispatch_closer, order_closed_handler
from hotline.store.db import make_engine, upgrade

S = order_settings()
CLOSED_AFTER = timedelta(hours=8)  # 17:00 local: after the 15:30 in the messages
CLOSED = {"order": "GD202611260001", "closed_at": "2026-11-26T15:30:00+08:00", "note": "已更换熔断器"}


def closed_msg(**changes) -> bytes:
    doc = {**CLOSED, **changes}
    return json.dumps({k: v for k, v in doc.items() if v is not None}, ensure_ascii=False).encode()


async def test_a_new_repair_order_reaches_dispatch_and_is_stamped_on_the_broker_s_ack(broker, engine):  # noqa: F811
    cfg = mqtt_settings(broker)
    bus = EventBus(cfg)
    topic = f"{cfg.topic_prefix}/dispatch/repair_order"
    async with subscribed(broker, topic) as got, running(bus):
        await until(lambda: bus.connected, 10, "bus connected")
        bus.call_started("c1", "inbound", caller="13800001111")
        order, merged = await create_repair(engine, S, bus, repair(), "001", T0)
        bus.call_ended("c1", "inbound", "agent_answered", None)
        await until(lambda: published_at(engine, order.number), 5, "published_at from the PUBACK")
        await until(lambda: len(got) == 1, 5, "the order on the dispatch topic")
    (topic_got, retained, body) = got[0]
    assert (topic_got, retained, merged) == (topic, False, False)
    assert body["order"] == order.number and body["fault_type_label"] == "线路"
    assert bus.seq == 2  # the dispatch message takes no event sequence number
    steps = (await order_detail(engine, order.number)).history
    assert [h.action for h in steps] == ["created", "published"]


async def test_an_order_made_while_the_broker_is_away_goes_out_when_it_is_back(broker, engine):  # noqa: F811
    cfg = mqtt_settings(broker)
    topic = f"{cfg.topic_prefix}/dispatch/repair_order"
    async with subscribed(broker, topic, identifier="dispatch-t", clean_session=False):
        pass  # dispatch's persistent session: the broker keeps its QoS 1 messages
    broker.stop()
    bus = EventBus(cfg, backoff_min=0.05, backoff_max=0.2)
    async with running(bus):
        order, _ = await asyncio.wait_for(create_repair(engine, S, bus, repair(), "001", T0), 2)
        assert await published_at(engine, order.number) is None and bus.queued == 1
        broker.start()
        await until(lambda: published_at(engine, order.number), 10, "published once the broker is back")
    async with subscribed(broker, topic, identifier="dispatch-t", clean_session=False) as got:
        await until(lambda: len(got) == 1, 5, "dispatch gets the order it missed")
    assert got[0][2]["order"] == order.number


async def test_order_closed_messages_close_orders_and_bad_ones_are_dropped(broker, engine):  # noqa: F811
    cfg = mqtt_settings(broker)
    request = ComplaintRequest.parse(
        {"kind": "complaint", "description": "x", "caller_number": "13800001111"}
    )
    order = await create_complaint(engine, S, request, "001", T0)
    now = T0 + CLOSED_AFTER
    bus = EventBus(cfg)
    handler = order_closed_handler(dispatch_closer(engine, stored_scheduler(engine, S, now), lambda: now))
    bus.set_order_closed_handler(handler)
    bad = [
        b"{not json",
        closed_msg(closed_at="2026-11-26T15:30:00"),  # no offset
        closed_msg(closed_at=None),
        closed_msg(order="GD202611269999"),  # no such order
        closed_msg(extra="x"),
    ]
    topic = f"{cfg.topic_prefix}/dispatch/order_closed"
    with capture_logs() as logs:
        async with running(bus):
            await until(lambda: bus.connected, 10, "bus subscribed")
            async with aiomqtt.Client(broker.host, broker.port) as dispatch:
                for payload in [*bad, closed_msg(), closed_msg()]:
                    await dispatch.publish(topic, payload, qos=1)
                # live subscribers get it unflagged (then: already closed); a new subscribe replays
                # the broker's retained copy, flagged, and that replay is ignored
                await dispatch.publish(topic, closed_msg(), qos=1, retain=True)
            await until(lambda: _count(logs, "orders.order_closed") == 1, 5, "the valid message")
            await until(lambda: _count(logs, "orders.order_closed_rejected") == len(bad) + 2, 5, "all")
        again = EventBus(cfg)  # the daemon restarted
        again.set_order_closed_handler(handler)
        async with running(again):
            await until(lambda: _count(logs, "orders.order_closed_rejected") == len(bad) + 3, 5, "replay")
    reasons = [e["reason"] for e in logs if e["event"] == "orders.order_closed_rejected"]
    assert any("Invalid JSON" in r for r in reasons)
    assert any("closed_at: Input should have timezone info" in r for r in reasons)
    assert "工单 GD202611269999 不存在 (no such order)" in reasons
    assert "工单 GD202611260001 已办结" in reasons  # the repeat
    assert "retained replay ignored" in reasons
    found = await order_detail(engine, order.number)
    assert found.order.status == "closed" and found.order.followup_job_id is not None
    step = found.history[-1]
    assert (step.actor, step.detail["note"], step.detail["closed_at"]) == (
        "dispatch",
        "已更换熔断器",
        "2026-11-26T15:30:00+08:00",
    )


def _count(logs: list[dict], event: str) -> int:
    return sum(1 for e in logs if e["event"] == event)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_the_daemon_resends_unconfirmed_orders_and_closes_orders_from_dispatch(
    broker,  # noqa: F811
    db_url: str,
    tmp_path: Path,
):
    await upgrade(db_url)
    engine = make_engine(db_url)
    settings = daemon_settings(db_url, tmp_path, mqtt=mqtt_settings(broker).model_dump(mode="json"))
    prefix = settings.mqtt.topic_prefix if settings.mqtt else ""
    lost = QueueLost()
    order, _ = await create_repair(engine, settings, lost, repair(), "001", T0)  # never confirmed
    try:
        async with (
            subscribed(broker, f"{prefix}/dispatch/repair_order") as got,
            daemon_in_process(settings, stop_s=15),
        ):
            await until(lambda: len(got) == 1, 10, "the unconfirmed order sent again at start")
            await until(lambda: published_at(engine, order.number), 5, "and stamped")
            async with aiomqtt.Client(broker.host, broker.port) as dispatch:
                await dispatch.publish(f"{prefix}/dispatch/order_closed", closed_msg(), qos=1)
            await until(lambda: _closed(engine, order.number), 10, "closed from dispatch")
            async with engine.connect() as conn:
                (job,) = (await conn.execute(select(OutboundJobRow))).all()
            assert (job.ref, job.payload["kind"]) == (f"order-{order.number}", "repair")
            assert (await order_detail(engine, order.number)).order.followup_job_id == job.id
    finally:
        await engine.dispose()


class QueueLost:
    """A bus whose queue was lost with the daemon that held it: takes the message, never confirms."""

    def publish_dispatch(self, name, body, *, on_confirmed=None) -> bool:
        return True


async def _closed(engine, number: str) -> bool:
    return (await order_detail(engine, number)).order.status == "closed"


async def test_dispatch_messages_are_checked_and_a_failing_confirmation_hurts_nothing(broker):  # noqa: F811
    with pytest.raises(ValueError, match="unknown dispatch message 'outage'"):
        EventBus(None).publish_dispatch("outage", {})
    assert EventBus(None).publish_dispatch("repair_order", {"order": "GD1"}) is False  # no broker
    cfg = mqtt_settings(broker)
    bus = EventBus(cfg)

    def broken(at) -> None:
        raise RuntimeError("a bug in the sender's callback")

    confirmed = []
    with capture_logs() as logs:
        async with subscribed(broker, f"{cfg.topic_prefix}/dispatch/#") as got, running(bus):
            bus.publish_dispatch("repair_order", {"order": "GD1"}, on_confirmed=broken)
            bus.publish_dispatch("repair_order", {"order": "GD2"}, on_confirmed=confirmed.append)
            await until(lambda: len(got) == 2 and confirmed, 5, "both out, the second confirmed")
    assert [body["order"] for _, _, body in got] == ["GD1", "GD2"]
    assert [e["topic"] for e in logs if e["event"] == "bus.confirm_callback_failed"] == [
        f"{cfg.topic_prefix}/dispatch/repair_order"
    ]
