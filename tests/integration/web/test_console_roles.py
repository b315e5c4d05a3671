"""Every route of the console checks its role: walked with each role and logged out, against the
daemon's real app; and no route of the app is left without a check by accident."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from starlette.routing import Mount, Route
from web_harness import PASSWORD, add_user, csrf_of

from hotline.daemon.wiring import Running
from hotline.kb import store
from hotline.kb.categories import DEFAULT_AGENT_CATEGORIES
from hotline.kb.drafts import check_draft
from hotline.reports.period import DEFAULT_TZ, zone
from hotline.web.auth.passwords import Passwords

PUBLIC = {"/", "/login", "/logout", "/static"}  # the way in and out, and the page's own files
TODAY = datetime.now(zone(DEFAULT_TZ)).date().isoformat()
SUPERVISION = ["/wallboard", "/wallboard?mode=wall", "/wallboard/state", "/wallboard/stream", "/reports"]
SUPERVISION += [
    f"/reports/view?kind=day&value={TODAY}",
    f"/reports/download?kind=day&value={TODAY}&format=csv",
]
KB_READ = ["/kb", "/kb/search?q=电费", "/kb/1"]  # article 1: made by _with_an_article
KB_ADMIN = ["/kb/admin", "/kb/admin/new", "/kb/admin/1/edit"]
EXPECTED = {  # role -> path -> status
    None: {**dict.fromkeys(SUPERVISION, 401), "/agent": 401},
    "agent": {**dict.fromkeys(SUPERVISION, 403), "/agent": 200},
    "supervisor": {**dict.fromkeys(SUPERVISION, 200), "/agent": 403},
    "admin": {**dict.fromkeys(SUPERVISION, 200), "/agent": 403},
}
KB = {None: (401, 401), "agent": (200, 403), "supervisor": (200, 403), "admin": (200, 200)}  # read, edit
for _role, (_read, _edit) in KB.items():
    EXPECTED[_role] |= dict.fromkeys(KB_READ, _read) | dict.fromkeys(KB_ADMIN, _edit)
POSTED = {  # role -> POST-only path -> status, with the CSRF token (in this order)
    None: {"/kb/admin/1/archive": 401, "/kb/admin/1/restore": 401},
    "agent": {"/kb/admin/1/archive": 403, "/kb/admin/1/restore": 403},
    "supervisor": {"/kb/admin/1/archive": 403, "/kb/admin/1/restore": 403},
    "admin": {"/kb/admin/1/archive": 303, "/kb/admin/1/restore": 303},
}


async def _client(console: Running, role: str | None) -> httpx.AsyncClient:
    assert console.console is not None
    c = httpx.AsyncClient(base_url=console.console.url.rstrip("/"), timeout=20)
    if role is not None:
        await add_user(
            console.ctx.engine, role, role, agent_id="001" if role == "agent" else None, passwords=Passwords()
        )
        form = {"username": role, "password": PASSWORD, "csrf_token": await csrf_of(c)}
        assert (await c.post("/login", data=form)).status_code == 303
    return c


async def _status(c: httpx.AsyncClient, path: str) -> int:
    async with c.stream("GET", path, headers={"accept": "application/json"}) as r:
        return r.status_code  # the stream is closed unread: the live one never ends by itself


async def _post_status(c: httpx.AsyncClient, path: str, logged_in: bool) -> int:
    token = await csrf_of(c, "/kb" if logged_in else "/login")
    r = await c.post(path, data={"csrf_token": token}, headers={"accept": "application/json"})
    return r.status_code


async def _with_an_article(console: Running) -> None:
    draft = check_draft("如何缴纳电费", "网上国网App缴费。", "", None, DEFAULT_AGENT_CATEGORIES)
    await store.create_article(console.ctx.engine, draft, actor="test", now=datetime.now(UTC))


async def test_every_route_with_every_role(console: Running) -> None:
    await _with_an_article(console)
    got: dict[str | None, dict[str, int]] = {}
    posted: dict[str | None, dict[str, int]] = {}
    for role in EXPECTED:
        c = await _client(console, role)
        try:
            got[role] = {path: await _status(c, path) for path in EXPECTED[role]}
            posted[role] = {path: await _post_status(c, path, role is not None) for path in POSTED[role]}
        finally:
            await c.aclose()
    assert got == EXPECTED
    assert posted == POSTED


async def test_a_logged_out_browser_is_sent_to_log_in(console: Running) -> None:
    c = await _client(console, None)
    try:
        r = await c.get("/wallboard?mode=wall", headers={"accept": "text/html"})
    finally:
        await c.aclose()
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fwallboard%3Fmode%3Dwall"


def test_no_route_is_left_unchecked(console: Running) -> None:
    assert console.console is not None
    app = console.console.server.app
    unchecked = []
    for route in app.routes:
        if isinstance(route, Mount) and route.path in PUBLIC:
            continue
        assert isinstance(route, Route), route
        if route.path not in PUBLIC and not hasattr(route.endpoint, "allowed_roles"):
            unchecked.append(route.path)
    assert unchecked == []
    walked = {p.split("?")[0] for p in [*EXPECTED["admin"], *POSTED["admin"]]}
    routes = [r for r in app.routes if isinstance(r, Route) and r.path not in PUBLIC]
    assert [r.path for r in routes if not any(r.path_regex.fullmatch(p) for p in walked)] == []
    assert all(any(r.path_regex.fullmatch(p) for r in routes) for p in walked)
