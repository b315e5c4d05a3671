"""Every route of the console checks its role: walked with each role and logged out, against the
daemon's real app; and no route of the app is left without a check by accident."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from starlette.routing import Mount, Route
from web_harness import PASSWORD, add_user, csrf_of

from hotline.daemon.wiring import Running
from hotline.orders import ComplaintRequest, create_complaint
from hotline.reports.period import DEFAULT_TZ, zone
from hotline.web.auth.passwords import Passwords

PUBLIC = {"/", "/login", "/logout", "/static"}  # the way in and out, and the page's own files
TODAY = datetime.now(zone(DEFAULT_TZ)).date().isoformat()
SUPERVISION = ["/wallboard", "/wallboard?mode=wall", "/wallboard/state", "/wallboard/stream", "/reports"]
SUPERVISION += [
    f"/reports/view?kind=day&value={TODAY}",
    f"/reports/download?kind=day&value={TODAY}&format=csv",
]
ORDER = "GD202611260001"  # made by the test (work orders: everyone reads, agents and supervisors act)
ORDERS = ["/orders", f"/orders/{ORDER}"]
EXPECTED = {  # role -> path -> status
    None: {**dict.fromkeys(SUPERVISION, 401), "/agent": 401, **dict.fromkeys(ORDERS, 401)},
    "agent": {**dict.fromkeys(SUPERVISION, 403), "/agent": 200, **dict.fromkeys(ORDERS, 200)},
    "supervisor": {**dict.fromkeys(SUPERVISION, 200), "/agent": 403, **dict.fromkeys(ORDERS, 200)},
    "admin": {**dict.fromkeys(SUPERVISION, 200), "/agent": 403, **dict.fromkeys(ORDERS, 200)},
}
# POSTs with the page's CSRF token and input that is refused after the role check (an empty
# answer, an order that does not exist), so the walk changes nothing
ANSWER, CLOSE = f"/orders/{ORDER}/answer", "/orders/GD202611269999/close"
POSTS = {
    None: {ANSWER: 401, CLOSE: 401},
    "agent": {ANSWER: 400, CLOSE: 404},
    "supervisor": {ANSWER: 400, CLOSE: 404},
    "admin": {ANSWER: 403, CLOSE: 403},
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


async def _post_status(c: httpx.AsyncClient, role: str | None, path: str) -> int:
    token = await csrf_of(c, "/login" if role is None else "/orders")
    return (await c.post(path, data={"csrf_token": token, "note": ""})).status_code


async def test_every_route_with_every_role(console: Running) -> None:
    complaint = ComplaintRequest.parse({"kind": "complaint", "description": "抄表不准"})
    made = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    order = await create_complaint(console.ctx.engine, console.ctx.settings, complaint, "001", made)
    assert order.number == ORDER
    got: dict[str | None, dict[str, int]] = {}
    posted: dict[str | None, dict[str, int]] = {}
    for role in EXPECTED:
        c = await _client(console, role)
        try:
            got[role] = {path: await _status(c, path) for path in EXPECTED[role]}
            posted[role] = {path: await _post_status(c, role, path) for path in POSTS[role]}
        finally:
            await c.aclose()
    assert got == EXPECTED
    assert posted == POSTS


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
    walked = {p.split("?")[0] for p in [*EXPECTED["admin"], *POSTS["admin"]]}
    routes = [r for r in app.routes if isinstance(r, Route) and r.path not in PUBLIC]
    assert [r.path for r in routes if not any(r.path_regex.match(p) for p in walked)] == []
    assert [p for p in walked if not any(r.path_regex.match(p) for r in routes)] == []
