"""Answering and closing orders on the store: states, history, the follow-up call through the
dialer's path (and the reasons it is refused), and the queries of the screen pop and lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from order_kit import T0, QueueStandIn, order_settings, repair
from sqlalchemy import select

from hotline.dialer import store as dialer_store
from hotline.dialer.models import OutboundJobRow
from hotline.dialer.service_done import ServiceDone
from hotline.orders import (
    ComplaintRequest,
    OrderFilter,
    OrderInputError,
    OrderNotFound,
    OrderStateError,
    answer_order,
    close_order,
    create_complaint,
    create_repair,
    list_orders,
    open_orders_of_caller,
    order_detail,
    stored_scheduler,
)
from hotline.orders.numbering import OrderNumberError

S = order_settings()
LATER = T0 + timedelta(hours=4)


async def complaint(engine, kind="complaint", caller: str | None = "13800001111", at=T0):
    fields = {"kind": kind, "description": "抄表不准", "caller_number": caller}
    request = ComplaintRequest.parse({k: v for k, v in fields.items() if v is not None})
    return await create_complaint(engine, S, request, "001", at)


async def jobs(engine) -> list[OutboundJobRow]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(OutboundJobRow))).all())


async def test_a_complaint_is_answered_then_closed_with_its_follow_up(engine):
    order = await complaint(engine, kind="report")
    answered = await answer_order(engine, order.number, "001", "已向客户说明", T0 + timedelta(hours=1))
    assert (answered.status, answered.answered_at) == ("answered", T0 + timedelta(hours=1))
    closed = await close_order(
        engine, order.number, "li", "已处理", LATER, stored_scheduler(engine, S, LATER)
    )
    assert (closed.status, closed.closed_at, closed.closed_by) == ("closed", LATER, "li")
    (job,) = await jobs(engine)
    assert closed.followup_job_id == job.id
    assert (job.purpose, job.ref, job.number) == ("followup", f"order-{order.number}", "13800001111")
    assert job.payload == {"order": order.number, "kind": "complaint", "completed_at": LATER.isoformat()}
    history = (await order_detail(engine, order.number)).history
    assert [(h.action, h.actor) for h in history] == [
        ("created", "001"),
        ("answered", "001"),
        ("closed", "li"),
    ]
    assert history[1].detail == {"note": "已向客户说明", "late": False}
    assert history[2].detail == {
        "note": "已处理",
        "followup_job_id": job.id,
        "followup_refused": None,
        "late": False,
    }


async def test_a_repair_is_closed_not_answered(engine):
    order, _ = await create_repair(engine, S, QueueStandIn(), repair(), "001", T0)
    with pytest.raises(OrderStateError, match="故障报修，无需答复"):
        await answer_order(engine, order.number, "001", "x", LATER)
    closed = await close_order(
        engine, order.number, "dispatch", "", LATER, stored_scheduler(engine, S, LATER)
    )
    (job,) = await jobs(engine)
    assert closed.followup_job_id == job.id and job.payload["kind"] == "repair"


async def test_what_cannot_be_done_changes_nothing(engine):
    order = await complaint(engine)
    schedule = stored_scheduler(engine, S, LATER)
    with pytest.raises(OrderInputError, match="处理意见: 不能为空"):
        await answer_order(engine, order.number, "001", "  ", LATER)
    with pytest.raises(OrderNotFound, match="工单 GD202611269999 不存在"):
        await answer_order(engine, "GD202611269999", "001", "x", LATER)
    with pytest.raises(OrderNumberError):
        await close_order(engine, "../etc", "001", "", LATER, schedule)
    with pytest.raises(OrderInputError, match="在将来"):
        await close_order(
            engine, order.number, "001", "", LATER, schedule, closed_at=LATER + timedelta(minutes=6)
        )
    with pytest.raises(OrderInputError, match="早于受理时间"):
        await close_order(
            engine, order.number, "001", "", LATER, schedule, closed_at=T0 - timedelta(seconds=1)
        )
    with pytest.raises(OrderInputError, match="须带时区"):
        await close_order(
            engine, order.number, "001", "", LATER, schedule, closed_at=datetime(2026, 11, 26, 9)
        )
    assert (await order_detail(engine, order.number)).order.status == "open"
    assert await jobs(engine) == []
    await close_order(engine, order.number, "001", "", LATER, schedule)
    with pytest.raises(OrderStateError, match="已办结"):
        await close_order(engine, order.number, "002", "", LATER, schedule)
    with pytest.raises(OrderStateError, match="已办结，不能再答复"):
        await answer_order(engine, order.number, "001", "迟到的答复", LATER)
    other = await complaint(engine)
    await answer_order(engine, other.number, "001", "答复", LATER)
    with pytest.raises(OrderStateError, match="已答复，不能再答复"):
        await answer_order(engine, other.number, "002", "又一次", LATER)
    assert len((await order_detail(engine, order.number)).history) == 2  # created, closed


@pytest.mark.parametrize(
    ("caller", "dnc", "reason"),
    [
        (None, False, "无来电号码，不能回访"),
        ("13800001111", True, "号码 13800001111 在免打扰名单上"),
        ("0044 20 7946 0000", False, "may not be dialled"),  # outbound.dial_patterns: no 00
    ],
)
async def test_a_refused_follow_up_still_closes_the_order(engine, caller, dnc, reason):
    order = await complaint(engine, caller=caller)
    if dnc:
        await dialer_store.dnc_add(engine, "+86 138 0000 1111", "customer's request", T0)
    closed = await close_order(engine, order.number, "001", "", LATER, stored_scheduler(engine, S, LATER))
    assert closed.status == "closed" and closed.followup_job_id is None
    assert await jobs(engine) == []
    refused = (await order_detail(engine, order.number)).history[-1].detail["followup_refused"]
    assert reason in refused


async def test_a_follow_up_booked_by_an_earlier_try_is_the_one_kept(engine):
    order = await complaint(engine)
    booked: list[ServiceDone] = []

    async def already_booked(msg: ServiceDone) -> list[str]:  # the job exists: nothing new
        booked.append(msg)
        return []

    await stored_scheduler(engine, S, LATER)(
        ServiceDone(order=order.number, kind="complaint", number="13800001111", completed_at=LATER)
    )
    (job,) = await jobs(engine)
    closed = await close_order(engine, order.number, "001", "", LATER, already_booked)
    assert closed.followup_job_id == job.id and [m.order for m in booked] == [order.number]


async def test_late_answers_and_closings_are_marked(engine):
    order = await complaint(engine)
    assert order.answer_due is not None and order.settle_due is not None
    await answer_order(engine, order.number, "001", "答复", order.answer_due)
    await close_order(
        engine, order.number, "001", "", order.settle_due, stored_scheduler(engine, S, order.settle_due)
    )
    history = (await order_detail(engine, order.number)).history
    assert [h.detail["late"] for h in history[1:]] == [True, True]


async def test_screen_pop_and_lists(engine):
    a = await complaint(engine, caller="13800001111", at=T0)
    b, _ = await create_repair(engine, S, QueueStandIn(), repair(caller_number="138 0000 1111"), "001", T0)
    c = await complaint(engine, caller="13900002222", kind="report", at=T0 + timedelta(minutes=1))
    d = await complaint(engine, caller="13800001111", at=T0 + timedelta(minutes=2))
    other_area = repair(area_code="220202", caller_number="13700003333")
    e, _ = await create_repair(engine, S, QueueStandIn(), other_area, "001", T0 - timedelta(hours=1))
    again = repair(area_code="220202", caller_number="+86 138 0000 1111")  # merged into e
    assert (await create_repair(engine, S, QueueStandIn(), again, "001", T0))[1]
    await close_order(engine, d.number, "001", "", LATER, stored_scheduler(engine, S, LATER))
    await answer_order(engine, a.number, "001", "答复", LATER)
    mine = await open_orders_of_caller(engine, "+86 138-0000-1111")
    assert [o.number for o in mine] == [b.number, a.number, e.number]  # newest first; d is closed
    assert [o.number for o in await open_orders_of_caller(engine, "13700003333")] == [e.number]
    assert await open_orders_of_caller(engine, "anonymous") == []
    assert await open_orders_of_caller(engine, None) == []

    async def numbers(now: datetime = LATER, **which) -> list[str]:
        return [o.number for o in await list_orders(engine, now, OrderFilter(**which))]

    assert await numbers() == [c.number, b.number, a.number, e.number]
    assert await numbers(status="all") == [d.number, c.number, b.number, a.number, e.number]
    assert await numbers(status="closed") == [d.number]
    assert await numbers(status="answered") == [a.number]
    assert await numbers(kind="report") == [c.number]
    assert await numbers(kind="repair") == [b.number, e.number]
    assert await numbers(status="all", limit=1) == [d.number]
    assert await numbers(overdue=True) == []
    answer_due = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # Thu 11-26 + 5 working days
    assert await numbers(answer_due, overdue=True) == [c.number]  # a is answered, d closed
    settle_due = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert await numbers(settle_due, overdue=True) == [c.number, a.number]


def test_bad_filters_are_refused():
    with pytest.raises(OrderInputError, match="状态 'pending'"):
        OrderFilter(status="pending")
    with pytest.raises(OrderInputError, match="工单类型 'fax'"):
        OrderFilter(kind="fax")
    with pytest.raises(OrderInputError, match="条数 0"):
        OrderFilter(limit=0)
