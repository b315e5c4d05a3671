"""Every route of the console checks its role: walked with each role and logged out, against the
daemon's real app; and no route of the app is left without a check by accident."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from starlette.routing import Mount, Route
from web_harness import PASSWORD, add_user, csrf_of

from hotline.daemon.wiring import Running
from hotline.kb import store
from hotline.kb.drafts import check_draft
from hotline.orders import ComplaintRequest, create_complaint
from hotline.reports.period import DEFAULT_TZ, zone
from hotline.web.auth.passwords import Passwords
from ivr.menu_vocab import DEFAULT_AGENT_CATEGORIES

PUBLIC = {"/", "/login", "/logout", "/static"}  # the way in and out, and the page's own files
TODAY = datetime.now(zone(DEFAULT_TZ)).date().isoformat()
AGENT, ADMIN, EVERYONE = ("agent",), ("admin",), ("agent", "supervisor", "admin")
SUPERVISION, DESK_AND_SUPERVISOR = ("supervisor", "admin"), ("agent", "supervisor")
ORDER = "GD202611260001"  # made by the test
# route -> the roles it lets through. A GET let through answers 200; a POST ("POST /path") is sent
# with the session's CSRF token and an empty form, and a role let through gets the route's own
# refusal of that form (400) or of the agent's state (409): the walk changes nothing (the one
# exception, an article archived, is restored by the next row).
ROUTES: dict[str, tuple[tuple[str, ...], int]] = {
    "/wallboard": (SUPERVISION, 200),
    "/wallboard?mode=wall": (SUPERVISION, 200),
    "/wallboard/state": (SUPERVISION, 200),
    "/wallboard/stream": (SUPERVISION, 200),
    "/reports": (SUPERVISION, 200),
    f"/reports/view?kind=day&value={TODAY}": (SUPERVISION, 200),
    f"/reports/download?kind=day&value={TODAY}&format=csv": (SUPERVISION, 200),
    "/flags": (SUPERVISION, 200),
    "/calls": (SUPERVISION, 200),
    "/calls/no.such.call": (SUPERVISION, 404),
    "/calls/no.such.call/recording": (SUPERVISION, 404),
    "/calls/no.such.call/message/1": (SUPERVISION, 404),
    "/quality": (SUPERVISION, 200),
    "POST /quality/draw": (SUPERVISION, 400),
    "/quality/reviews/999": (SUPERVISION, 404),
    "POST /quality/reviews/999": (SUPERVISION, 400),
    "POST /supervise/spy": (SUPERVISION, 400),
    "POST /supervise/agent": (SUPERVISION, 400),
    "POST /supervise/peak": (SUPERVISION, 400),
    "/supervise/phone": (SUPERVISION, 200),
    "POST /flags/clear": (SUPERVISION, 400),
    "/admin/menu": (ADMIN, 200),  # first: it records the live menu as version 1
    "/admin/menu/diagram.svg": (ADMIN, 200),
    "/admin/menu/versions": (ADMIN, 200),
    "/admin/menu/version?id=1": (ADMIN, 200),
    "POST /admin/menu/check": (ADMIN, 400),
    "POST /admin/menu/publish": (ADMIN, 400),
    "POST /admin/menu/rollback": (ADMIN, 400),
    "/admin/prompts": (SUPERVISION, 200),
    "/admin/prompts/audio?id=greeting": (SUPERVISION, 404),  # no rendered prompts in this daemon
    "POST /admin/prompts/upload": (ADMIN, 400),
    "POST /admin/prompts/revert": (ADMIN, 400),
    "POST /admin/prompts/render": (ADMIN, 400),
    "/admin/outages": (ADMIN, 200),
    "/admin/outages?all=1": (ADMIN, 200),
    "POST /admin/outages/add": (ADMIN, 400),
    "POST /admin/outages/edit": (ADMIN, 400),
    "POST /admin/outages/cancel": (ADMIN, 400),
    "/admin/accounts": (ADMIN, 200),
    "POST /admin/accounts/import": (ADMIN, 400),
    "/admin/outbound": (ADMIN, 200),
    "/admin/outbound?status=pending&purpose=followup": (ADMIN, 200),
    "/admin/outbound/job?id=none": (ADMIN, 404),  # no such job
    "POST /admin/outbound/cancel": (ADMIN, 400),
    "/admin/outbound/dnc": (ADMIN, 200),
    "POST /admin/outbound/dnc/add": (ADMIN, 400),
    "POST /admin/outbound/dnc/remove": (ADMIN, 400),
    "/orders": (EVERYONE, 200),
    f"/orders/{ORDER}": (EVERYONE, 200),
    f"POST /orders/{ORDER}/answer": (DESK_AND_SUPERVISOR, 400),  # agents and supervisors act on orders
    "POST /orders/GD202611269999/close": (DESK_AND_SUPERVISOR, 404),  # no such order
    "/kb": (EVERYONE, 200),
    "/kb/search?q=电费": (EVERYONE, 200),
    "/kb/1": (EVERYONE, 200),  # article 1: made by the test
    "/kb/admin": (ADMIN, 200),
    "/kb/admin/new": (ADMIN, 200),
    "/kb/admin/1/edit": (ADMIN, 200),
    "POST /kb/admin/1/archive": (ADMIN, 303),  # archived, then restored at once
    "POST /kb/admin/1/restore": (ADMIN, 303),
    "/agent": (AGENT, 200),
    "/agent/state": (AGENT, 200),
    "/agent/stream": (AGENT, 200),
    "POST /agent/button": (AGENT, 400),
    "POST /agent/disposition": (AGENT, 409),  # no call on the desk
    "POST /agent/orders": (AGENT, 409),
    "POST /agent/flag": (AGENT, 409),
}
HOME = {None: "/login", "agent": "/agent", "supervisor": "/wallboard", "admin": "/wallboard"}


def expected(role: str | None) -> dict[str, int]:
    return {
        path: status if role in roles else (401 if role is None else 403)
        for path, (roles, status) in ROUTES.items()
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


async def _status(c: httpx.AsyncClient, role: str | None, path: str) -> int:
    if path.startswith("POST "):
        form = {"csrf_token": await csrf_of(c, HOME[role])}
        r = await c.post(path.removeprefix("POST "), data=form, headers={"accept": "application/json"})
        return r.status_code
    async with c.stream("GET", path, headers={"accept": "application/json"}) as r:
        return r.status_code  # the stream is closed unread: the live one never ends by itself


async def test_every_route_with_every_role(console: Running) -> None:
    complaint = ComplaintRequest.parse({"kind": "complaint", "description": "抄表不准"})
    made = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert (
        await create_complaint(console.ctx.engine, console.ctx.settings, complaint, "001", made)
    ).number == ORDER
    draft = check_draft("如何缴纳电费", "网上国网App缴费。", "", None, DEFAULT_AGENT_CATEGORIES)
    await store.create_article(console.ctx.engine, draft, actor="test", now=made)
    roles = (None, *EVERYONE)
    got: dict[str | None, dict[str, int]] = {}
    for role in roles:
        c = await _client(console, role)
        try:
            got[role] = {path: await _status(c, role, path) for path in ROUTES}
        finally:
            await c.aclose()
    wrong = [
        f"{role} {path}: {got[role][path]} (expected {want})"
        for role in roles
        for path, want in expected(role).items()
        if got[role][path] != want
    ]
    assert wrong == []


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
    walked = {p.split("?")[0].removeprefix("POST ") for p in ROUTES}
    routes = [r for r in app.routes if isinstance(r, Route) and r.path not in PUBLIC]
    assert [r.path for r in routes if not any(r.path_regex.match(p) for p in walked)] == []  # each walked
    assert [p for p in walked if not any(r.path_regex.match(p) for r in routes)] == []  # no stale rows
