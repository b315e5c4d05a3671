"""What the app assembly (hotline/web/app.py) adds for accounts and sessions:

    kit = AuthKit.build(deps)                 # optional: share one kit (else each call builds one)
    middleware=[auth_middleware(deps, kit=kit), ...]
    routes=[*auth_routes(deps, kit=kit), ...]

`auth_middleware` must wrap every route (it sets request.state.user and checks CSRF tokens).
Building reads or creates `web.secret_file` (SecretKeyError if unusable).
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from hotline.web.auth.kit import AuthKit
from hotline.web.auth.login_routes import LoginRoutes
from hotline.web.auth.middleware import AuthMiddleware
from hotline.web.deps import WebDeps


def auth_middleware(deps: WebDeps, *, kit: AuthKit | None = None) -> Middleware:
    return Middleware(AuthMiddleware, kit=kit or AuthKit.build(deps))


def auth_routes(deps: WebDeps, *, kit: AuthKit | None = None) -> list[BaseRoute]:
    """GET /, GET/POST /login, POST /logout."""
    return LoginRoutes(kit or AuthKit.build(deps)).routes()
