"""GET / (home by role, or the login page), GET/POST /login and POST /logout.

A wrong user name and a wrong password get the same answer (401, 用户名或密码错误) after the
same work (a dummy hash is verified for an unknown name). After `login_attempts` failures within
`login_window_seconds` for a user name or from an address, logins are refused (429) without
checking the password. `next=` is followed only to a path on this site.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.web.auth import audit
from hotline.web.auth.accounts import USERNAME, LoginCandidate, find_for_login, replace_hash
from hotline.web.auth.csrf import PRE_LOGIN_COOKIE, set_cookie_header
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Verified
from hotline.web.auth.rate_limit import minutes_left
from hotline.web.auth.roles import CurrentUser, Role, current_user
from hotline.web.auth.sessions import SESSION_COOKIE
from hotline.web.templating import page

log = structlog.get_logger("web")
WRONG = "用户名或密码错误"
HOME = {Role.AGENT: "/agent", Role.SUPERVISOR: "/wallboard", Role.ADMIN: "/wallboard"}
NEXT_MAX = 2000
NAME_ECHO_MAX = 64  # a longer "user name" is no user name (32 at most) and is not echoed whole


def home_for(user: CurrentUser) -> str:
    return HOME[user.role]


def safe_next(value: object) -> str | None:
    """`value` if it is a path on this site ("/..." but not "//host" or "/\\host"), else None."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > NEXT_MAX:
        return None
    if value.startswith("//") or "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


class LoginRoutes:
    def __init__(self, kit: AuthKit) -> None:
        self.kit = kit

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"], name="home"),
            Route("/login", self.form, methods=["GET"], name="login"),
            Route("/login", self.submit, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"], name="logout"),
        ]

    async def home(self, request: Request) -> Response:
        user = current_user(request)
        return RedirectResponse(home_for(user) if user else "/login", status_code=303)

    async def form(self, request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        user = current_user(request)
        if user is not None:
            return RedirectResponse(target or home_for(user), status_code=303)
        return self._page(request, target, "", None, 200)

    def _page(
        self, request: Request, target: str | None, username: str, error: str | None, status: int
    ) -> Response:
        ctx: dict[str, Any] = {"next": target or "", "username": username, "error": error}
        return page(request, "login.html", ctx, status)

    async def submit(self, request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username") or "").strip()[:NAME_ECHO_MAX]  # echoed and audited
        password = str(form.get("password") or "")
        target = safe_next(form.get("next"))
        address, now = _address(request), self.kit.deps.clock()
        engine = self.kit.deps.engine
        wait = self.kit.limiter.retry_after(username, address, now)
        if wait is not None:
            await audit.record(engine, None, audit.LOGIN_BLOCKED, {}, address, at=now, username=username)
            message = f"登录失败次数过多，请稍后再试（约 {minutes_left(wait)} 分钟后）"
            response = self._page(request, target, username, message, 429)
            response.headers["Retry-After"] = str(max(1, int(wait.total_seconds())))
            return response
        candidate = await self._check(username, password)
        if candidate is None:
            self.kit.limiter.failed(username, address, now)
            await audit.record(engine, None, audit.LOGIN_FAILED, {}, address, at=now, username=username)
            log.info("web.login_failed", username=username[:64], address=address)
            return self._page(request, target, username, WRONG, 401)
        self.kit.limiter.succeeded(username)
        return await self._logged_in(request, candidate.user, target)

    async def _check(self, username: str, password: str) -> LoginCandidate | None:
        """The account if the password is right (re-hashed if its costs are outdated), else None."""
        found = await find_for_login(self.kit.deps.engine, username) if USERNAME.fullmatch(username) else None
        stored = found.password_hash if found is not None and not found.disabled else None
        loop = asyncio.get_running_loop()
        verified: Verified = await loop.run_in_executor(
            self.kit.deps.offload, self.kit.passwords.check, password, stored
        )
        if found is None or not verified.ok:
            return None
        if verified.new_hash is not None:
            await replace_hash(self.kit.deps.engine, found.user.id, found.password_hash, verified.new_hash)
        return found

    async def _logged_in(self, request: Request, user: CurrentUser, target: str | None) -> Response:
        now, address = self.kit.deps.clock(), _address(request)
        cookie, _csrf = await self.kit.sessions.create(
            user.id, now, address, request.headers.get("user-agent")
        )
        await audit.record(self.kit.deps.engine, user, audit.LOGIN, {}, address, at=now)
        log.info("web.login", username=user.username, role=user.role.value, address=address)
        response = RedirectResponse(target or home_for(user), status_code=303)
        secure = self.kit.secure_cookies
        response.raw_headers.append((b"set-cookie", set_cookie_header(SESSION_COOKIE, cookie, secure=secure)))
        response.raw_headers.append(
            (b"set-cookie", set_cookie_header(PRE_LOGIN_COOKIE, "", secure=secure, max_age=0))
        )
        return response

    async def logout(self, request: Request) -> Response:
        session = getattr(request.state, "session", None)
        if session is not None:
            await self.kit.sessions.end(session.token_hash)
            await audit.record(
                self.kit.deps.engine,
                session.user,
                audit.LOGOUT,
                {},
                _address(request),
                at=self.kit.deps.clock(),
            )
        response = RedirectResponse("/login", status_code=303)
        cleared = set_cookie_header(SESSION_COOKIE, "", secure=self.kit.secure_cookies, max_age=0)
        response.raw_headers.append((b"set-cookie", cleared))
        return response
