"""The calls, recordings and quality pages composed for the tests: the real auth middleware
(sessions, CSRF) and login routes with cheap Argon2 costs, the security headers, a clock the test
sets, a recordings directory under tmp_path standing for Asterisk's /var/spool/asterisk/monitor;
rows written as the recorder writes them, and clients logged in per role."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from web_harness import STATIC, Clock, add_user, csrf_of, log_in

from hotline.reports.period import zone
from hotline.settings import Settings
from hotline.store.models import Call, CallEvent
from hotline.store.web_models import AuditRow
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.calls.routes import calls_routes
from hotline.web.deps import WebDeps
from hotline.web.headers import SecurityHeaders
from hotline.web.quality.routes import quality_routes

SHANGHAI = zone("Asia/Shanghai")
ASTERISK_DIR = "/var/spool/asterisk/monitor"
NODES = {"main": "主菜单", "bill": "电费查询"}
ROLES = ("agent", "supervisor", "admin")


def at(local: str) -> datetime:
    """'2026-11-23 08:00:00' Shanghai time -> aware UTC."""
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


def site(db_url: str, tmp: Path, recordings: Path, **extra: Any) -> Settings:
    return Settings.model_validate(
        {
            "company": "平安县",
            "agents": [
                {"id": "001", "extension": "1001", "secret": "pw1001-x", "name": "张三"},
                {"id": "002", "extension": "1002", "secret": "pw1002-x", "name": "李四"},
                {"id": "003", "extension": "1003", "secret": "pw1003-x"},
            ],
            "database": {"url": db_url},
            "web": {"secret_file": str(tmp / "web_secret")},
            "asterisk": {"recordings_dir": ASTERISK_DIR, "recordings_host_dir": str(recordings)},
            **extra,
        }
    )


def build(engine: AsyncEngine, settings: Settings, clock: Clock, offload: ThreadPoolExecutor) -> Starlette:
    assert settings.web is not None
    deps = WebDeps(settings=settings, web=settings.web, engine=engine, clock=clock, offload=offload)
    kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))
    routes = [
        *auth_routes(deps, kit=kit),
        *calls_routes(deps, node_labels=lambda: NODES),
        *quality_routes(deps),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), auth_middleware(deps, kit=kit)])
    app.state.company = "平安县"
    return app


async def add_accounts(engine: AsyncEngine) -> None:
    for role in ROLES:
        await add_user(engine, role, role, agent_id="001" if role == "agent" else None)


@asynccontextmanager
async def client_as(app: Starlette, role: str | None) -> AsyncIterator[httpx.AsyncClient]:
    """A client on `app`, logged in as the account named after `role` (None: logged out)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        if role is not None:
            r = await log_in(c, role)
            assert r.status_code == 303, r.text
        yield c


async def token(c: httpx.AsyncClient) -> str:
    return await csrf_of(c, "/calls")


def call(uid: str, start: str, outcome: str | None = "agent_answered", **fields: Any) -> dict[str, Any]:
    """A calls row started at local `start`; fields as the columns (ended a minute later)."""
    started = at(start)
    row: dict[str, Any] = {
        "uniqueid": uid,
        "direction": "inbound",
        "started_at": started,
        "outcome": outcome,
        "ended_at": None if outcome is None else started + timedelta(minutes=1),
    }
    row.update(fields)
    return row


async def insert_calls(
    engine: AsyncEngine, rows: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]] = ()
) -> None:
    rows, events = list(rows), list(events)
    async with engine.begin() as conn:
        for row in rows:  # one by one: each row's own columns, the others their defaults
            await conn.execute(insert(Call).values(**row))
        if events:
            await conn.execute(insert(CallEvent), events)


async def audit_rows(engine: AsyncEngine, action: str) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(AuditRow.username, AuditRow.detail).where(AuditRow.action == action))
        return [{"user": u, "detail": d} for u, d in rows]
