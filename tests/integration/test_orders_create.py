"""Creating work orders on the store: numbers, repeat reports merged, repair orders handed to the
bus and stamped when the broker confirms, complaints with their due dates, history rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from order_kit import T0, QueueStandIn, order_settings, published_at, repair
from polling import until
from sqlalchemy import insert

from hotline.orders import (
    ComplaintRequest,
    create_complaint,
    create_repair,
    order_detail,
    republish_unconfirmed,
)
from hotline.orders.errors import OrderInputError
from hotline.store.models import Call

S = order_settings()


async def test_a_new_repair_is_numbered_stored_and_handed_to_the_bus(engine):
    bus = QueueStandIn()
    order, merged = await create_repair(engine, S, bus, repair(fault_recording="/rec/fault-1.wav"), "001", T0)
    assert (order.number, merged, order.status, order.merged_reports) == ("GD202611260001", False, "open", 0)
    assert [name for name, _ in bus.sent] == ["repair_order"]
    assert bus.sent[0][1] == {
        "order": "GD202611260001",
        "kind": "repair",
        "area_code": "110105",
        "address": "城关镇东街 1 号",
        "fault_type": "line",
        "fault_type_label": "线路",
        "fault_subtype": "断线",
        "description": "整条街停电",
        "caller_number": "13800001111",
        "account_number": None,
        "created_at": "2026-11-26T09:00:00+08:00",
        "recording": "fault-1.wav",
    }
    assert await published_at(engine, order.number) is None  # handed over, not yet confirmed
    found = await order_detail(engine, order.number)
    assert [(h.action, h.actor, h.call_uniqueid) for h in found.history] == [
        ("created", "001", "1764118800.1")
    ]


async def test_published_is_when_the_broker_confirmed_with_call_end_to_published(engine):
    async with engine.begin() as conn:
        await conn.execute(
            insert(Call).values(
                uniqueid="1764118800.1",
                direction="inbound",
                started_at=T0 - timedelta(minutes=3),
                ended_at=T0 - timedelta(seconds=20),
                outcome="agent_answered",
            )
        )
    bus = QueueStandIn()
    order, _ = await create_repair(engine, S, bus, repair(), "001", T0)
    confirmed = T0 + timedelta(seconds=1.5)
    bus.confirm(confirmed)
    await until(lambda: published_at(engine, order.number), 5, "published_at written")
    assert await published_at(engine, order.number) == confirmed
    bus.confirm(confirmed + timedelta(seconds=9))  # nothing left to confirm: nothing changes
    found = await order_detail(engine, order.number)
    assert [(h.action, h.actor, h.at) for h in found.history] == [
        ("created", "001", T0),
        ("published", "system", confirmed),
    ]
    assert found.history[1].detail == {"since_created_s": 1.5, "since_call_end_s": 21.5, "within_norm": True}


async def test_repeat_reports_merge_into_the_open_order_of_the_same_fault(engine):
    bus = QueueStandIn()
    first, _ = await create_repair(engine, S, bus, repair(), "001", T0)
    again, merged = await create_repair(
        engine,
        S,
        bus,
        repair(call_uniqueid="1764127800.9", caller_number="13900002222", description="又停电了"),
        "002",
        T0 + timedelta(hours=2, minutes=30),
    )
    assert merged and again.number == first.number and again.merged_reports == 1
    assert len(bus.sent) == 1  # a merged report is not sent to dispatch again
    step = (await order_detail(engine, first.number)).history[-1]
    assert (step.action, step.actor, step.call_uniqueid) == ("merged", "002", "1764127800.9")
    assert step.detail == {
        "address": "城关镇东街 1 号",
        "fault_subtype": "断线",
        "description": "又停电了",
        "caller_number": "13900002222",
    }
    # 6 h after the order was made but 3.5 h after the last report: still the same outage
    _, merged = await create_repair(engine, S, bus, repair(), "001", T0 + timedelta(hours=6))
    assert merged
    other_type, merged = await create_repair(
        engine, S, bus, repair(fault_type="equipment"), "001", T0 + timedelta(hours=6)
    )
    assert not merged and other_type.number == "GD202611260002"
    other_area, merged = await create_repair(engine, S, bus, repair(area_code="110106"), "001", T0)
    assert not merged and other_area.number == "GD202611260003"
    late, merged = await create_repair(engine, S, bus, repair(), "001", T0 + timedelta(hours=10, minutes=1))
    assert not merged and late.number == "GD202611260004"  # 4 h 1 min after the last report
    assert (await order_detail(engine, first.number)).order.merged_reports == 2


async def test_no_merge_with_a_zero_window(engine):
    s = order_settings(orders={"merge_window_minutes": 0})
    await create_repair(engine, s, QueueStandIn(), repair(), "001", T0)
    _, merged = await create_repair(engine, s, QueueStandIn(), repair(), "001", T0 + timedelta(minutes=1))
    assert not merged


async def test_numbers_follow_the_local_day(engine):
    bus = QueueStandIn()
    s = order_settings(orders={"number_prefix": "BX", "merge_window_minutes": 0})
    last_minute = datetime(2026, 11, 26, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    numbers = [
        (await create_repair(engine, s, bus, repair(), "001", last_minute))[0].number for _ in range(2)
    ]
    next_day = (await create_repair(engine, s, bus, repair(), "001", last_minute + timedelta(minutes=1)))[0]
    assert numbers == ["BX202611260001", "BX202611260002"]
    assert next_day.number == "BX202611270001"


async def test_complaints_and_reports_get_their_due_dates(engine):
    s = order_settings(outbound={"holidays": ["2026-12-01", "2026-12-02"], "extra_workdays": ["2026-12-05"]})
    request = ComplaintRequest.parse(
        {"kind": "complaint", "description": "抄表不准", "caller_number": "13800001111"}
    )
    order = await create_complaint(engine, s, request, "001", T0)
    # Thu 11-26: Fri 27, Mon 30, (Tue 1, Wed 2 off) Thu 3, Fri 4, Sat 5 (调休) = 5th;
    # Mon 7, Tue 8, Wed 9, Thu 10, Fri 11 = 10th
    assert order.answer_due == datetime(2026, 12, 5, 16, 0, tzinfo=UTC)
    assert order.settle_due == datetime(2026, 12, 11, 16, 0, tzinfo=UTC)
    assert (order.kind, order.address, order.fault_type) == ("complaint", "", None)
    (created,) = (await order_detail(engine, order.number)).history
    assert created.detail == {
        "answer_due": "2026-12-05T16:00:00+00:00",
        "settle_due": "2026-12-11T16:00:00+00:00",
    }
    assert not order.overdue(datetime(2026, 12, 5, 15, 59, tzinfo=UTC))
    assert order.answer_overdue(datetime(2026, 12, 5, 16, 0, tzinfo=UTC))


async def test_without_a_broker_the_history_says_the_order_was_not_sent(engine):
    order, _ = await create_repair(engine, S, QueueStandIn(broker=False), repair(), "001", T0)
    found = await order_detail(engine, order.number)
    assert [h.action for h in found.history] == ["created", "noted"]
    assert "未配置 MQTT" in found.history[1].detail["note"]


@pytest.mark.parametrize("actor", ["", " ", "x" * 65, "00\n1"])
async def test_a_bad_actor_changes_nothing(engine, actor):
    bus = QueueStandIn()
    with pytest.raises(OrderInputError, match="操作人"):
        await create_repair(engine, S, bus, repair(), actor, T0)
    assert bus.sent == []
    ok, _ = await create_repair(engine, S, bus, repair(), "001", T0)
    assert ok.number == "GD202611260001"


async def test_unconfirmed_repairs_are_sent_again_at_start(engine):
    lost = QueueStandIn()  # the daemon stopped before the broker confirmed these
    first, _ = await create_repair(engine, S, lost, repair(), "001", T0)
    second, _ = await create_repair(
        engine, S, lost, repair(area_code="220202"), "001", T0 + timedelta(seconds=1)
    )
    confirmed = QueueStandIn()
    done, _ = await create_repair(engine, S, confirmed, repair(area_code="330303"), "001", T0)
    confirmed.confirm(T0 + timedelta(seconds=1))
    await until(lambda: published_at(engine, done.number), 5, "third confirmed")
    restart = QueueStandIn()
    assert await republish_unconfirmed(engine, restart) == [first.number, second.number]
    assert [body["order"] for _, body in restart.sent] == [first.number, second.number]
    restart.confirm(T0 + timedelta(minutes=5))
    await until(lambda: published_at(engine, second.number), 5, "resent orders confirmed")
    assert await republish_unconfirmed(engine, QueueStandIn()) == []
