"""The work-order pages behind the real login, roles and CSRF check: the list with its filters and
overdue highlight, one order with its history, answering and closing (audited, follow-up booked
through the scheduler handed in), and refusals shown on the page with nothing changed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
import pytest
from order_kit import QueueStandIn, repair
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from web_harness import STATIC, add_user, client, csrf_of, log_in, settings

from hotline.dialer.models import OutboundJobRow
from hotline.orders import ComplaintRequest, create_complaint, create_repair, order_detail, stored_scheduler
from hotline.store.web_models import AuditRow
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.orders_page import order_routes


@pytest.fixture
def app(engine, db_url, tmp_path, clock, offload) -> Starlette:
    s = settings(db_url, tmp_path)
    assert s.web is not None
    deps = WebDeps(settings=s, web=s.web, engine=engine, clock=clock, offload=offload)
    kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))
    routes = [
        *auth_routes(deps, kit=kit),
        *order_routes(deps, lambda msg: stored_scheduler(engine, s, clock())(msg)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    built = Starlette(routes=routes, middleware=[auth_middleware(deps, kit=kit)])
    built.state.company = "平安县"
    return built


@pytest.fixture
async def orders(engine, clock, db_url, tmp_path):
    """(a repair, a complaint taken 10 days ago: overdue for its answer, one taken now)."""
    s = settings(db_url, tmp_path)
    fix, _ = await create_repair(
        engine, s, QueueStandIn(), repair(description="<script>x</script>"), "001", clock()
    )
    fields = {"kind": "complaint", "description": "抄表不准", "caller_number": "13900002222"}
    old = await create_complaint(
        engine, s, ComplaintRequest.parse(fields), "001", clock() - timedelta(days=10)
    )
    new = await create_complaint(engine, s, ComplaintRequest.parse(fields), "001", clock())
    return fix.number, old.number, new.number


@asynccontextmanager
async def as_user(app: Starlette, engine, role: str) -> AsyncIterator[httpx.AsyncClient]:
    await add_user(engine, f"u{role}", role, agent_id="001" if role == "agent" else None)
    async with client(app) as c:
        assert (await log_in(c, f"u{role}")).status_code == 303
        yield c


async def audit(engine) -> list[tuple[str, str, dict]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(AuditRow.username, AuditRow.action, AuditRow.detail))).all()
    return [(u, a, json.loads(d)) for u, a, d in rows if a.startswith("order_")]


async def test_the_list_highlights_overdue_orders_in_local_time(app, engine, orders):
    fix, old, new = orders
    async with as_user(app, engine, "agent") as c:
        page = (await c.get("/orders")).text
        assert page.index(new) < page.index(fix) < page.index(old)
        assert f'<tr class="overdue" data-order="{old}">' in page
        assert f'<tr class="" data-order="{new}">' in page
        assert "2026-12-03 24:00" in page  # Thu 11-26 + 5 working days, the end of that day
        assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
        overdue = (await c.get("/orders?overdue=1")).text
        assert old in overdue and new not in overdue and fix not in overdue
        repairs = (await c.get("/orders?kind=repair")).text
        assert fix in repairs and old not in repairs
        bad = await c.get("/orders?status=pending")
        assert bad.status_code == 400 and "状态 &#39;pending&#39;" in bad.text


async def test_an_agent_answers_and_closes_a_complaint(app, engine, orders, clock):
    _, _, new = orders
    async with as_user(app, engine, "agent") as c:
        token = await csrf_of(c, f"/orders/{new}")
        r = await c.post(f"/orders/{new}/answer", data={"csrf_token": token, "note": "已向客户说明"})
        assert r.status_code == 303 and r.headers["location"] == f"/orders/{new}"
        clock.advance(minutes=30)  # within the session idle time
        r = await c.post(f"/orders/{new}/close", data={"csrf_token": token, "note": "已处理"})
        assert r.status_code == 303
        page = (await c.get(f"/orders/{new}")).text
    assert 'data-status="closed"' in page and "意见：已向客户说明" in page and "意见：已处理" in page
    assert 'id="answer-form"' not in page and 'id="close-form"' not in page
    found = await order_detail(engine, new)
    assert [(h.action, h.actor) for h in found.history] == [
        ("created", "001"),
        ("answered", "001"),
        ("closed", "001"),
    ]
    async with engine.connect() as conn:
        (job,) = (await conn.execute(select(OutboundJobRow.id, OutboundJobRow.ref))).all()
    assert found.order.followup_job_id == job.id and job.ref == f"order-{new}"
    assert await audit(engine) == [
        ("uagent", "order_answer", {"order": new, "note": "已向客户说明"}),
        ("uagent", "order_close", {"order": new, "note": "已处理"}),
    ]


async def test_refusals_are_shown_on_the_page_and_change_nothing(app, engine, orders):
    fix, old, _ = orders
    async with as_user(app, engine, "supervisor") as c:
        token = await csrf_of(c, f"/orders/{fix}")
        r = await c.post(f"/orders/{fix}/answer", data={"csrf_token": token, "note": "x"})
        assert r.status_code == 409 and 'id="order-error"' in r.text and "无需答复" in r.text
        r = await c.post(f"/orders/{old}/answer", data={"csrf_token": token, "note": "  "})
        assert r.status_code == 400 and "处理意见: 不能为空" in r.text
        r = await c.post("/orders/GD202611269999/close", data={"csrf_token": token})
        assert r.status_code == 404 and "不存在" in r.text
        r = await c.post(f"/orders/{old}/close", data={"note": "x"})  # no CSRF token
        assert r.status_code == 403
        assert (await c.get("/orders/nonsense")).status_code == 404
    assert [h.action for h in (await order_detail(engine, old)).history] == ["created"]
    assert [h.action for h in (await order_detail(engine, fix)).history] == ["created"]
    assert await audit(engine) == []


async def test_an_admin_reads_but_does_not_act(app, engine, orders):
    fix, _, _ = orders
    async with as_user(app, engine, "admin") as c:
        page = await c.get(f"/orders/{fix}")
        assert page.status_code == 200 and 'id="close-form"' not in page.text
        token = await csrf_of(c, "/orders")
        r = await c.post(f"/orders/{fix}/close", data={"csrf_token": token})
        assert r.status_code == 403
    async with client(app) as anonymous:
        assert (await anonymous.get("/orders", headers={"accept": "text/html"})).status_code == 303
    assert (await order_detail(engine, fix)).order.status == "open"
