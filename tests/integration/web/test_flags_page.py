"""The harassment numbers page (/flags) behind the real session middleware: supervisors see every
flag in full, clear one with the page's CSRF token (audited), and bad or forged requests change
nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from web_harness import STATIC, Clock, add_user, client, csrf_of, log_in, settings

from hotline.harassment.flags import flag_number, is_flagged
from hotline.store.web_models import AuditRow
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.flags_page import flag_routes


@pytest.fixture
async def app(engine: AsyncEngine, db_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Starlette]:
    s = settings(db_url, tmp_path)
    assert s.web is not None
    with ThreadPoolExecutor(1) as pool:
        deps = WebDeps(settings=s, web=s.web, engine=engine, clock=clock, offload=pool)
        kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))
        routes = [
            *auth_routes(deps, kit=kit),
            *flag_routes(deps),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ]
        app = Starlette(routes=routes, middleware=[auth_middleware(deps, kit=kit)])
        app.state.company = "平安县"
        yield app


@asynccontextmanager
async def logged_in(app: Starlette, engine: AsyncEngine, role: str) -> AsyncIterator[httpx.AsyncClient]:
    await add_user(engine, f"{role}1", role, agent_id="001" if role == "agent" else None)
    async with client(app) as c:
        assert (await log_in(c, f"{role}1")).status_code == 303
        yield c


async def audits(engine: AsyncEngine) -> list[tuple[str, str, dict]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(AuditRow.action, AuditRow.username, AuditRow.detail))).all()
    return [(a, u, json.loads(d)) for a, u, d in rows if a.startswith("flag")]


async def test_a_supervisor_sees_full_numbers_and_clears_one(app, engine, clock):
    await flag_number(engine, "13800001111", "多次辱骂座席<b>", "001", "1700000000.5", clock.now)
    await flag_number(engine, "05511234567", "恶意占线", "002", None, clock.now)
    async with logged_in(app, engine, "supervisor") as c:
        page = await c.get("/flags", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "13800001111" in page.text and "05511234567" in page.text and "1700000000.5" in page.text
        assert "多次辱骂座席&lt;b&gt;" in page.text  # text, never markup
        assert "2026-11-26 09:00" in page.text  # the clock's 01:00 UTC in Beijing time
        token = await csrf_of(c, "/flags")
        clock.advance(minutes=10)
        r = await c.post("/flags/clear", data={"csrf_token": token, "number": "+86 138 0000 1111"})
        assert r.status_code == 303 and r.headers["location"] == "/flags"
        assert not await is_flagged(engine, "13800001111") and await is_flagged(engine, "05511234567")
        after = await c.get("/flags", headers={"accept": "text/html"})
        cleared = after.text.split('id="flags-cleared"')[1]
        assert "13800001111" in cleared and "supervisor1" in cleared and "2026-11-26 09:10" in cleared
        again = await c.post("/flags/clear", data={"csrf_token": token, "number": "13800001111"})
        assert again.status_code == 303  # a second click changes nothing and is not audited again
    assert await audits(engine) == [("flag_clear", "supervisor1", {"number": "13800001111", "flags": [1]})]


async def test_bad_or_forged_clears_change_nothing(app, engine, clock):
    await flag_number(engine, "13800001111", "辱骂", "001", None, clock.now)
    async with logged_in(app, engine, "supervisor") as c:
        token = await csrf_of(c, "/flags")
        bad = await c.post("/flags/clear", data={"csrf_token": token, "number": "138abc"})
        assert bad.status_code == 400 and "character" in bad.text
        missing = await c.post("/flags/clear", data={"csrf_token": token})
        assert missing.status_code == 400 and "缺少" in missing.text
        forged = await c.post("/flags/clear", data={"number": "13800001111"})
        assert forged.status_code == 403
    assert await is_flagged(engine, "13800001111") and await audits(engine) == []


async def test_an_agent_may_neither_see_nor_clear(app, engine, clock):
    await flag_number(engine, "13800001111", "辱骂", "001", None, clock.now)
    async with logged_in(app, engine, "agent") as c:
        assert (await c.get("/flags", headers={"accept": "text/html"})).status_code == 403
        token = await csrf_of(c, "/flags")  # the 403 page's logout form carries the session's token
        r = await c.post("/flags/clear", data={"csrf_token": token, "number": "13800001111"})
        assert r.status_code == 403
    assert await is_flagged(engine, "13800001111")


async def test_an_empty_list_says_so(app, engine):
    async with logged_in(app, engine, "admin") as c:
        page = await c.get("/flags", headers={"accept": "text/html"})
    assert page.status_code == 200 and 'id="flags-none"' in page.text
