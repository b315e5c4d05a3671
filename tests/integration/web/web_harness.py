"""A Starlette app made of the auth middleware, the login routes and probe routes behind
`require`, on a migrated store, with a clock the test moves and cheap Argon2 costs."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import hotline.web
from hotline.settings import Settings
from hotline.web.auth import accounts
from hotline.web.auth.audit import audit_action
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.roles import require
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.templating import page

STATIC = Path(hotline.web.__file__).parent / "static"
PASSWORD = "Lab-pass-2026"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass
class Probe:
    """What the probe routes changed: the POST's form values, in order."""

    changes: list[str] = field(default_factory=list)


def settings(db_url: str, tmp: Path, **web: object) -> Settings:
    return Settings.model_validate(
        {
            "company": "平安县",
            "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-x"}],
            "database": {"url": db_url},
            "web": {"secret_file": str(tmp / "web_secret"), "login_attempts": 3, **web},
        }
    )


def build(
    engine: AsyncEngine, s: Settings, clock: Clock, offload: ThreadPoolExecutor
) -> tuple[Starlette, Probe]:
    assert s.web is not None
    deps = WebDeps(settings=s, web=s.web, engine=engine, clock=clock, offload=offload)
    kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))
    probe = Probe()

    @require("supervisor", "admin")
    async def board(request: Request) -> Response:
        return page(request, "error.html", {"title": "board", "message": "ok"})

    @require("supervisor", "admin")
    async def change(request: Request) -> Response:
        form = await request.form()
        probe.changes.append(str(form.get("value")))
        await audit_action(request, "probe_change", {"value": str(form.get("value"))})
        return PlainTextResponse("changed")

    routes = [
        *auth_routes(deps, kit=kit),
        Route("/board", board),
        Route("/change", change, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[auth_middleware(deps, kit=kit)])
    app.state.company = "平安县"
    return app, probe


def client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def add_user(
    engine: AsyncEngine,
    username: str,
    role: str = "supervisor",
    *,
    agent_id: str | None = None,
    display_name: str | None = None,
    password: str = PASSWORD,
    passwords: Passwords | None = None,
    now: datetime | None = None,
) -> int:
    new = accounts.check_new_account(username, role, agent_id, display_name, ["001"])
    hashed = (passwords or Passwords(fast_hasher_for_tests())).hash(password)
    return await accounts.add_user(engine, new, hashed, now or datetime(2026, 11, 1, tzinfo=UTC))


async def csrf_of(c: httpx.AsyncClient, path: str = "/login") -> str:
    """The CSRF token the page at `path` puts in its forms."""
    r = await c.get(path, headers={"accept": "text/html"})
    found = CSRF_FIELD.search(r.text)
    assert found, r.text
    return found.group(1)


async def log_in(
    c: httpx.AsyncClient, username: str, password: str = PASSWORD, next_: str | None = None
) -> httpx.Response:
    data = {"csrf_token": await csrf_of(c), "username": username, "password": password}
    if next_ is not None:
        data["next"] = next_
    return await c.post("/login", data=data)
