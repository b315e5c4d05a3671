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

from hotline.web.agent_home import agent_routes
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.headers import SecurityHeaders
from hotline.web.kb_pages import kb_routes
from hotline.web.live.board import LiveBoard
from hotline.web.reports_page import report_routes
from hotline.web.templating import error_page
from hotline.web.wallboard import wallboard_routes


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "页面不存在", "您访问的页面不存在。")
    return error_page(request, exc.status_code, "请求无法处理", str(exc.detail))


def build_app(deps: WebDeps, board: LiveBoard, *, kit: AuthKit | None = None) -> Starlette:
    """`kit`: the accounts' shared parts (tests pass one with cheap password hashing)."""
    kit = kit or AuthKit.build(deps)
    routes = [
        *auth_routes(deps, kit=kit),
        *wallboard_routes(board),
        *agent_routes(board),
        *report_routes(deps),
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
