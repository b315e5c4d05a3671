"""Roles and the check every route makes: `@require("supervisor", "admin")`.

The session middleware puts the logged-in user (or None) on `request.state.user`. A route wrapped
by `require` sends a logged-out browser to the login page (an API or event-stream request gets
401), and a user of another role gets 403; only then does the route run.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from hotline.web.templating import error_page


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: Role
    agent_id: str | None  # the 工号 of an agent account
    display_name: str | None


Endpoint = Callable[[Request], Awaitable[Response]]


def current_user(request: Request) -> CurrentUser | None:
    user = getattr(request.state, "user", None)
    return user if isinstance(user, CurrentUser) else None


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept


def require(*roles: str) -> Callable[[Endpoint], Endpoint]:
    allowed = frozenset(Role(r) for r in roles)
    if not allowed:
        raise ValueError("require() needs at least one role")

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def checked(request: Request) -> Response:
            user = current_user(request)
            if user is None:
                if _wants_html(request):
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
                return PlainTextResponse("请先登录 (not logged in)", status_code=401)
            if user.role not in allowed:
                if _wants_html(request):
                    return error_page(request, 403, "无权访问", "您的账号没有访问此页面的权限。")
                return PlainTextResponse("无权访问 (role not allowed)", status_code=403)
            return await endpoint(request)

        checked.allowed_roles = allowed  # type: ignore[attr-defined]  # read by the route-walk test
        return checked

    return wrap
