"""The knowledge-base routes in an app with the real session middleware (real logins, real CSRF
checks, the real audit log), on a migrated store: for test_kb_pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from web_harness import STATIC, Clock, add_user, client, csrf_of, log_in

from hotline.kb import store
from hotline.kb.drafts import check_draft
from hotline.settings import Settings
from hotline.store.web_models import AuditRow
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.headers import SecurityHeaders
from hotline.web.kb_pages import kb_routes
from ivr.menu_vocab import DEFAULT_AGENT_CATEGORIES

ROLES = {"li": ("agent", "001"), "wang": ("supervisor", None), "zhao": ("admin", None)}
T0 = datetime(2026, 11, 20, tzinfo=UTC)


@dataclass
class KbWeb:
    app: Starlette
    engine: AsyncEngine
    clock: Clock

    @asynccontextmanager
    async def as_(self, username: str | None) -> AsyncIterator[httpx.AsyncClient]:
        """A client logged in as one of ROLES (None: logged out)."""
        async with client(self.app) as c:
            if username is not None:
                assert (await log_in(c, username)).status_code == 303
            yield c

    async def article(self, title: str, body: str, tags: str = "", category: str | None = None) -> int:
        draft = check_draft(title, body, tags, category, DEFAULT_AGENT_CATEGORIES)
        return (await store.create_article(self.engine, draft, actor="seed", now=T0)).id

    async def audits(self) -> list[tuple[str, str, str]]:
        query = select(AuditRow.action, AuditRow.username, AuditRow.detail).order_by(AuditRow.id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [(r.action, r.username, r.detail) for r in rows if r.action.startswith("kb_")]


async def build_kb_web(engine: AsyncEngine, s: Settings, clock: Clock, offload: ThreadPoolExecutor) -> KbWeb:
    assert s.web is not None
    deps = WebDeps(settings=s, web=s.web, engine=engine, clock=clock, offload=offload)
    kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))
    routes = [
        *auth_routes(deps, kit=kit),
        *kb_routes(deps),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), auth_middleware(deps, kit=kit)])
    app.state.company = s.company
    for username, (role, agent_id) in ROLES.items():
        await add_user(engine, username, role, agent_id=agent_id)
    return KbWeb(app, engine, clock)


async def token(c: httpx.AsyncClient) -> str:
    return await csrf_of(c, "/kb")
