"""The console's ASGI app: every feature's routes, the session middleware (who is asking, CSRF),
security headers, static files. Each route checks its role itself (`auth.roles.require`)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from hotline.web.auth.kit import AuthKit
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.calls.routes import calls_routes
from hotline.web.daemon_parts import DaemonParts
from hotline.web.deps import WebDeps
from hotline.web.desk.filing import filing_routes
from hotline.web.desk.routes import desk_routes
from hotline.web.flags_page import flag_routes
from hotline.web.headers import SecurityHeaders
from hotline.web.kb_pages import kb_routes
from hotline.web.menu_routes import menu_routes
from hotline.web.orders_page import order_routes
from hotline.web.outbound_page import outbound_routes
from hotline.web.prompts_page import prompt_routes
from hotline.web.quality.routes import quality_routes
from hotline.web.reports_page import report_routes
from hotline.web.selfservice_page import selfservice_routes
from hotline.web.supervise_routes import supervise_routes
from hotline.web.templating import error_page
from hotline.web.wallboard import wallboard_routes


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "页面不存在", "您访问的页面不存在。")
    return error_page(request, exc.status_code, "请求无法处理", str(exc.detail))


def build_app(deps: WebDeps, parts: DaemonParts, *, kit: AuthKit | None = None) -> Starlette:
    """`kit`: the accounts' shared parts (tests pass one with cheap password hashing)."""
    kit = kit or AuthKit.build(deps)
    routes = [
        *auth_routes(deps, kit=kit),
        *wallboard_routes(parts.board),
        *desk_routes(parts.desk, parts.acd.feed),
        *filing_routes(parts.desk, deps, parts.acd.feed, parts.bus),
        *report_routes(deps),
        *flag_routes(deps),
        *menu_routes(deps, parts.menus),
        *supervise_routes(deps, parts.acd, parts.ami, parts.peak),
        *prompt_routes(deps),
        *selfservice_routes(deps, dialer_changed=parts.dialer_changed),
        *outbound_routes(deps, dialer_changed=parts.dialer_changed),
        *order_routes(deps, parts.dialer.schedule_followup),
        *calls_routes(deps, node_labels=parts.menus.node_labels),
        *quality_routes(deps),
        *kb_routes(deps),
        Mount("/static", app=StaticFiles(packages=[("hotline.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), auth_middleware(deps, kit=kit)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.company = deps.settings.company
    return app
