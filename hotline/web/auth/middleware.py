"""The auth middleware (pure ASGI, so event streams pass unbuffered): it resolves the session
cookie to `request.state.user` (a CurrentUser or None) and `request.state.csrf_token`, and
refuses every POST/PUT/PATCH/DELETE whose CSRF token (form field or X-CSRF-Token header) is not
the session's, or before login the pre-login cookie's: 403, the endpoint never runs.

Also on `request.state`: `session` (sessions.Session or None) and `auth_kit` (for audit_action).
"""

from __future__ import annotations

import structlog
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotline.web.auth.csrf import (
    PRE_LOGIN_COOKIE,
    UNSAFE_METHODS,
    BodyTooLarge,
    ClientGone,
    new_token,
    read_body,
    replay,
    set_cookie_header,
    submitted_token,
    tokens_match,
)
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.sessions import SESSION_COOKIE, Session
from hotline.web.templating import error_page

log = structlog.get_logger("web")
CSRF_REFUSED = "请求缺少有效的安全令牌（CSRF），未做任何更改。请刷新页面后重试。"


class AuthMiddleware:
    def __init__(self, app: ASGIApp, kit: AuthKit) -> None:
        self.app = app
        self.kit = kit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookies: list[bytes] = []
        session, csrf = await self._resolve(HTTPConnection(scope).cookies, cookies)
        state = scope.setdefault("state", {})
        state.update(user=session.user if session else None, csrf_token=csrf, session=session)
        state["auth_kit"] = self.kit
        send = _adding_headers(send, cookies)
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            checked = await self._checked_receive(scope, receive, send, csrf)
            if checked is None:
                return
            receive = checked
        await self.app(scope, receive, send)

    async def _resolve(self, cookies: dict[str, str], set_cookies: list[bytes]) -> tuple[Session | None, str]:
        """The session and the expected CSRF token; Set-Cookie headers to send go in set_cookies
        (a dead session cookie is deleted, a missing pre-login token is issued)."""
        secure = self.kit.secure_cookies
        session = None
        if value := cookies.get(SESSION_COOKIE):
            session = await self.kit.sessions.resolve(value, self.kit.deps.clock())
            if session is None:
                set_cookies.append(set_cookie_header(SESSION_COOKIE, "", secure=secure, max_age=0))
        if session is not None:
            return session, session.csrf_token
        token = self.kit.prelogin.token_of(cookies.get(PRE_LOGIN_COOKIE))
        if token is None:
            token = new_token()
            value = self.kit.prelogin.cookie_value(token)
            set_cookies.append(set_cookie_header(PRE_LOGIN_COOKIE, value, secure=secure))
        return None, token

    async def _checked_receive(self, scope: Scope, receive: Receive, send: Send, csrf: str) -> Receive | None:
        """A receive replaying the body if its CSRF token is right; else None, refused here."""
        try:
            body = await read_body(receive)
        except ClientGone:
            return None
        except BodyTooLarge:
            await self._refuse(scope, send, 413, "请求过大", "提交的内容过大，未做任何更改。")
            return None
        if tokens_match(csrf, await submitted_token(scope, body)):
            return replay(body, receive)
        client = scope.get("client")
        log.warning("web.csrf_refused", path=scope["path"], address=client[0] if client else None)
        await self._refuse(scope, send, 403, "请求被拒绝", CSRF_REFUSED)
        return None

    async def _refuse(self, scope: Scope, send: Send, status: int, title: str, message: str) -> None:
        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        response = error_page(Request(scope), status, title, message)
        await response(scope, nothing, send)


def _adding_headers(send: Send, set_cookies: list[bytes]) -> Send:
    """`send` adding the Set-Cookie headers, except for a cookie the response sets itself (the
    login's new session cookie wins over deleting the dead one)."""
    if not set_cookies:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            own = {v.split(b"=", 1)[0].strip() for k, v in headers if k.lower() == b"set-cookie"}
            headers.extend((b"set-cookie", c) for c in set_cookies if c.split(b"=", 1)[0] not in own)
            message = {**message, "headers": headers}
        await send(message)

    return sending
