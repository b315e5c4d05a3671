"""The agent desk inside the daemon: the screen pop is on the agent's stream while the phone
rings (before any answer), and the desk's buttons and the feature codes move the same ACD."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from fake_asterisk import FakeCall
from polling import until
from web_harness import PASSWORD, add_user, csrf_of

from acd.feature_codes import code_event
from hotline.daemon.wiring import Running
from hotline.orders.models import WorkOrderRow
from hotline.selfservice.account_import import upsert_accounts
from hotline.store.models import Call
from hotline.web.auth.passwords import Passwords

DIAL = 'EXEC "Dial"'
NUMBER = "13800001234"


async def _agent_client(running: Running) -> httpx.AsyncClient:
    assert running.console is not None
    await add_user(running.ctx.engine, "a001", "agent", agent_id="001", passwords=Passwords())
    c = httpx.AsyncClient(base_url=running.console.url.rstrip("/"), timeout=10)
    form = {"username": "a001", "password": PASSWORD, "csrf_token": await csrf_of(c)}
    assert (await c.post("/login", data=form)).status_code == 303
    return c


class Stream:
    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def read(self, c: httpx.AsyncClient) -> None:
        async with c.stream("GET", "/agent/stream") as r:
            assert r.status_code == 200
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    self.seen.append(json.loads(line[6:]))

    def any(self, match: Callable[[dict[str, Any]], bool]) -> bool:
        return any(match(s) for s in self.seen)


async def _customer_on_file(running: Running) -> None:
    engine, now = running.ctx.engine, running.ctx.clock()
    account = {
        "account_number": "3100000001",
        "area_code": "010101",
        "masked_name": "张*",
        "phone": NUMBER,
        "balance": Decimal("-12.30"),
        "last_bill_amount": Decimal("88.50"),
        "last_bill_month": "2026-11",
        "last_usage_kwh": Decimal("150.5"),
        "address": "城关镇解放路 12 号",
    }
    await upsert_accounts(engine, [account], now=now)
    async with engine.begin() as conn:
        await conn.execute(
            WorkOrderRow.__table__.insert(),
            dict(
                number="GD202612020001",
                kind="repair",
                status="open",
                area_code="010101",
                address="解放路",
                fault_type="line",
                fault_subtype="断线",
                description="整条街停电",
                created_at=now,
                created_by="002",
            ),
        )
        await conn.execute(
            Call.__table__.insert(),
            dict(
                uniqueid="old.1",
                direction="inbound",
                caller_number=NUMBER,
                started_at=now - timedelta(days=3),
                outcome="agent_answered",
                agent_id="002",
                business_category="bill_query",
                agent_category="information_query",
                disposition_note="查询上月电费",
            ),
        )


def _pop(state: dict[str, Any]) -> dict[str, Any] | None:
    call = state["call"]
    return call if call and call["phase"] == "ringing" and "customer" in call else None


async def test_the_screen_pop_is_on_the_desk_while_the_phone_rings(console: Running) -> None:
    await _customer_on_file(console)
    c = await _agent_client(console)
    stream = Stream()
    reader = asyncio.create_task(stream.read(c))
    release = asyncio.Event()
    caller = asyncio.create_task(
        FakeCall(console.server.port, "950.1", caller=NUMBER, hang_up_on=DIAL).run(release=release)
    )
    try:
        await until(lambda: stream.any(lambda s: _pop(s) is not None), 10, "the screen pop while ringing")
        pop = next(p for s in stream.seen if (p := _pop(s)) is not None)
        assert pop["number"] == NUMBER and pop["uniqueid"] == "950.1"
        customer = pop["customer"]
        assert [(a["account"], a["address"], a["balance"], a["arrears"]) for a in customer["accounts"]] == [
            ("3100000001", "城关镇解放路 12 号", "-12.30", True)
        ]
        assert [(r["order"], r["fault"]) for r in customer["repairs"]] == [("GD202612020001", "线路/断线")]
        assert [(h["category"], h["note"], h["agent"]) for h in customer["history"]] == [
            ("信息查询", "查询上月电费", "002")
        ]
        release.set()  # the caller gives up while it rings
        await asyncio.wait_for(caller, 10)
        await until(lambda: stream.seen[-1]["call"] is None, 10, "an unanswered call off the desk")
    finally:
        reader.cancel()
        await c.aclose()


async def _button(c: httpx.AsyncClient, button: str, token: str | None, **fields: str) -> httpx.Response:
    form = {"button": button, **fields, **({"csrf_token": token} if token else {})}
    return await c.post("/agent/button", data=form, headers={"accept": "application/json"})


async def test_buttons_and_feature_codes_move_the_same_acd(console: Running) -> None:
    c = await _agent_client(console)
    acd = console.ctx.acd
    stream = Stream()
    reader = asyncio.create_task(stream.read(c))
    try:
        token = await csrf_of(c, "/agent")
        assert acd.agent("001").state == "ready"
        r = await _button(c, "pause", None, reason="1")
        assert r.status_code == 403 and acd.agent("001").state == "ready"  # no CSRF token: nothing
        r = await _button(c, "pause", token, reason="2")
        assert r.status_code == 200 and (acd.agent("001").state, acd.agent("001").reason) == (
            "paused",
            "meeting",
        )
        await until(
            lambda: stream.any(lambda s: s["agent"]["state"] == "paused" and s["agent"]["reason"] == "会议"),
            5,
            "the pause on the desk",
        )
        r = await _button(c, "login", token)
        assert r.status_code == 409 and "当前状态（暂停）不能执行此操作" in r.json()["error"]
        # *46 on the softphone (the feature code's meaning, fed as the FastAGI flow feeds it)
        found = code_event("001", acd.agent("001").state, "resume", [])
        assert found is not None
        acd.feed(found[0])
        await until(
            lambda: stream.seen[-1]["agent"]["state"] == "ready", 5, "the softphone's resume on the desk"
        )
        r = await _button(c, "resume", token)
        assert r.status_code == 409 and acd.agent("001").state == "ready"  # a second click changes nothing
        assert (await _button(c, "logout", token)).status_code == 200
        assert acd.agent("001").state == "logged_out"
        assert (await _button(c, "dance", token)).status_code == 400
    finally:
        reader.cancel()
        await c.aclose()
