"""The menu pages composed for the tests: the real session middleware and login routes, the
menu routes on a real MenuStore reading a temporary copy of config/menu.yaml, a migrated store."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from web_harness import STATIC, Clock, add_user, client, log_in, settings

from hotline.services.menus import MenuStore
from hotline.store.menu_models import MenuVersionRow
from hotline.store.web_models import AuditRow
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.headers import SecurityHeaders
from hotline.web.menu_routes import menu_routes
from prompts.catalog import site_catalog

SHIPPED_MENU = Path(__file__).resolve().parents[3] / "config" / "menu.yaml"
ORIGINAL = SHIPPED_MENU.read_text(encoding="utf-8")
TEXTAREA = re.compile(r'<textarea name="yaml"[^>]*>\n(.*?)</textarea>', re.S)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = re.compile(r'name="base" value="([0-9a-f]*)"')


@dataclass
class MenuSite:
    app: Starlette
    menus: MenuStore
    path: Path
    engine: AsyncEngine


def build(engine: AsyncEngine, db_url: str, tmp: Path, clock: Clock, offload: ThreadPoolExecutor) -> MenuSite:
    path = tmp / "menu.yaml"
    path.write_text(ORIGINAL, encoding="utf-8")
    s = settings(db_url, tmp)
    assert s.web is not None
    menus = MenuStore(
        path, set(site_catalog(company=s.company, agent_ids=[a.id for a in s.agents])), s.categories.keys
    )
    deps = WebDeps(settings=s, web=s.web, engine=engine, clock=clock, offload=offload)
    kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))
    app = Starlette(
        routes=[
            *auth_routes(deps, kit=kit),
            *menu_routes(deps, menus),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders), auth_middleware(deps, kit=kit)],
    )
    app.state.company = s.company
    return MenuSite(app, menus, path, engine)


async def logged_in(site: MenuSite, role: str = "admin") -> httpx.AsyncClient:
    c = client(site.app)
    await add_user(site.engine, f"{role}1", role, agent_id="001" if role == "agent" else None)
    r = await log_in(c, f"{role}1")
    assert r.status_code == 303, r.text
    return c


def editor_text(html: str) -> str:
    found = TEXTAREA.search(html)
    assert found, html
    return unescape(found.group(1))


async def page_form(c: httpx.AsyncClient) -> dict[str, str]:
    """The CSRF token and the base hash the editor page's form carries."""
    html = (await c.get("/admin/menu")).text
    csrf, base = CSRF.search(html), BASE.search(html)
    assert csrf and base, html
    return {"csrf_token": csrf.group(1), "base": base.group(1)}


async def post_menu(c: httpx.AsyncClient, action: str, text: str, **extra: str) -> httpx.Response:
    """`text` posted as a browser posts a <textarea>: CRLF line ends."""
    form = {**await page_form(c), "yaml": text.replace("\n", "\r\n"), **extra}
    return await c.post(f"/admin/menu/{action}", data=form)


async def version_rows(engine: AsyncEngine) -> list[MenuVersionRow]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(MenuVersionRow).order_by(MenuVersionRow.id))).all())


async def audit_rows(engine: AsyncEngine, action: str) -> list[AuditRow]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(AuditRow).where(AuditRow.action == action))).all())
