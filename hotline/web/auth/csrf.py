"""CSRF tokens: every POST/PUT/PATCH/DELETE carries one (form field `csrf_token` or header
`X-CSRF-Token`) equal to the session's. Before login the expected token is the one in a signed
pre-login cookie (signed double submit), so the login form is protected the same way.

`read_body` takes the request body off the wire for the check and `replay` hands it to the
endpoint afterwards, so the endpoint still reads its form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from itsdangerous import BadSignature, Signer
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
PRE_LOGIN_COOKIE = "hotline_prelogin"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_BODY = 8 * 1024 * 1024  # a form or a CSV upload; more is refused (413)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison; an empty expected token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


class PreLoginTokens:
    """The pre-login token in its signed cookie."""

    def __init__(self, key: bytes) -> None:
        self._signer = Signer(key, salt="hotline.web.prelogin", digest_method=hashlib.sha256)

    def cookie_value(self, token: str) -> str:
        return self._signer.sign(token.encode("ascii")).decode("ascii")

    def token_of(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self._signer.unsign(cookie.encode("ascii")).decode("ascii")
        except (BadSignature, UnicodeError):
            return None


def set_cookie_header(name: str, value: str, *, secure: bool, max_age: int | None = None) -> bytes:
    """A Set-Cookie header value: HttpOnly, SameSite=Strict, Path=/ (and Secure if asked);
    max_age 0 deletes the cookie, None makes it last as long as the browser session."""
    jar: SimpleCookie = SimpleCookie()
    jar[name] = value
    morsel = jar[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    if secure:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    return morsel.OutputString().encode("latin-1")


async def read_body(receive: Receive) -> bytes:
    """The whole request body; BodyTooLarge past MAX_BODY, ClientGone if the client left."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once, then whatever the client sends next (disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _gone() -> Message:
    return {"type": "http.disconnect"}


async def submitted_token(scope: Scope, body: bytes) -> str | None:
    """The token a request carries: the X-CSRF-Token header, else the form's csrf_token field
    (parsed by Starlette's own form parser, as the endpoint will parse it). A form that does not
    parse carries none."""
    request = Request(scope, replay(body, _gone))
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if not request.headers.get("content-type", "").lower().startswith(FORM_TYPES):
        return None
    try:
        form = await request.form()
    except (HTTPException, MultiPartException):
        return None
    try:
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()
