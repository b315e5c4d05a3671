"""Filing from the agent desk inside the daemon: the disposition, a work order and a harassment
flag, always for the call on the agent's own desk (its number from the call, never the form).
The call reaches the desk by the daemon's own live events (the bus's Notifier methods)."""

from __future__ import annotations

from typing import Any

import httpx
from polling import until
from sqlalchemy import select
from test_desk_daemon import NUMBER, _agent_client
from web_harness import csrf_of

from hotline.daemon.wiring import Running
from hotline.harassment.flags import is_flagged
from hotline.orders.models import WorkOrderRow
from hotline.store.models import Call

UID = "960.1"


async def _answered_call(console: Running) -> None:
    """A call row as the recorder starts it, and the events of a call agent 001 answered."""
    ctx = console.ctx
    async with ctx.engine.begin() as conn:
        await conn.execute(
            Call.__table__.insert(),
            dict(uniqueid=UID, direction="inbound", caller_number=NUMBER, started_at=ctx.clock()),
        )
    bus = ctx.bus
    bus.call_started(UID, "inbound", caller=NUMBER)
    bus.ivr_step(UID, "top", None)
    bus.call_queued(UID, "fault_repair", 0)
    bus.offered(UID, "001")
    bus.answered(UID, "001")
    bus.call_ended(UID, "inbound", "agent_answered", None)
    assert console.console is not None
    desk = console.console.desk
    await until(lambda: desk.call_of("001") is not None, 5, "the call on 001's desk")


async def _post(c: httpx.AsyncClient, path: str, **form: str) -> httpx.Response:
    data = {"csrf_token": await csrf_of(c, "/agent"), "uniqueid": UID, **form}
    return await c.post(path, data=data, headers={"accept": "application/json"})


async def _row(console: Running) -> Any:
    async with console.ctx.engine.connect() as conn:
        return (await conn.execute(select(Call).where(Call.uniqueid == UID))).one()


async def test_the_disposition_is_stored_on_the_call_and_shown_on_the_desk(console: Running) -> None:
    await _answered_call(console)
    c = await _agent_client(console)
    try:
        r = await _post(c, "/agent/disposition", category="dancing", note="x")
        assert r.status_code == 400 and "未配置的座席业务分类" in r.json()["error"]
        assert (await _row(console)).agent_category is None  # refused: nothing stored
        r = await _post(c, "/agent/disposition", uniqueid="not.mine", category="fault_repair")
        assert r.status_code == 409
        r = await _post(c, "/agent/disposition", category="fault_repair", note="东风路停电")
        assert r.status_code == 200 and r.json()["label"] == "故障报修"
        row = await _row(console)
        assert (row.agent_category, row.disposition_note, row.disposed_by) == (
            "fault_repair",
            "东风路停电",
            "001",
        )
        state = (await c.get("/agent/state")).json()
        assert state["call"]["disposition"]["label"] == "故障报修"
    finally:
        await c.aclose()


async def test_a_repair_order_takes_the_callers_number_from_the_call_and_merges_a_repeat(
    console: Running,
) -> None:
    await _answered_call(console)
    c = await _agent_client(console)
    order = dict(kind="repair", area_code="010101", address="东风路", fault_type="line", fault_subtype="断线")
    try:
        r = await _post(c, "/agent/orders", **order, description="")
        assert r.status_code == 400 and r.json()["error"]  # a repair needs its description
        # a number in the form is not taken: the order gets the call's
        first = await _post(c, "/agent/orders", **order, description="整段无电", caller_number="13999999999")
        again = await _post(c, "/agent/orders", **order, description="又一位客户报同一故障")
    finally:
        await c.aclose()
    assert first.status_code == 200 and first.json()["merged"] is False
    assert again.json() == {**first.json(), "merged": True}
    async with console.ctx.engine.connect() as conn:
        rows = (await conn.execute(select(WorkOrderRow))).all()
    assert [(r.number, r.caller_number, r.call_uniqueid, r.merged_reports) for r in rows] == [
        (first.json()["number"], NUMBER, UID, 1)
    ]


async def test_the_agent_flags_the_callers_number(console: Running) -> None:
    await _answered_call(console)
    c = await _agent_client(console)
    try:
        r = await _post(c, "/agent/flag", reason="")
        assert r.status_code == 400 and not await is_flagged(console.ctx.engine, NUMBER)
        r = await _post(c, "/agent/flag", reason="反复辱骂座席")
    finally:
        await c.aclose()
    assert r.status_code == 200 and r.json() == {"number": NUMBER, "created": True}
    assert await is_flagged(console.ctx.engine, NUMBER)
