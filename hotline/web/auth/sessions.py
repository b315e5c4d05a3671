"""Logged-in sessions: a random 32-byte token per login, its SHA-256 the row's key (a copy of the
database lets nobody in), the token signed with the site key in the cookie (a tampered or made-up
cookie is refused before any query). A session ends after `session_idle_minutes` without a
request (sliding; last_seen_at is written at most once a minute), after `session_max_hours`
anyway, at logout, and when its user is disabled or gets a new password (accounts.py deletes
the rows). The user is read with the session in one query, so a change applies at the next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from hotline.store.web_models import USER_AGENT_MAX, UserRow, WebSessionRow
from hotline.web.auth.roles import CurrentUser, Role

SESSION_COOKIE = "hotline_session"
TOUCH_EVERY = timedelta(minutes=1)
ADDRESS_MAX = 64
_SESSION_COLUMNS = (WebSessionRow.csrf_token, WebSessionRow.created_at, WebSessionRow.last_seen_at)
_USER_COLUMNS = (
    UserRow.id,
    UserRow.username,
    UserRow.role,
    UserRow.agent_id,
    UserRow.display_name,
    UserRow.disabled,
)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    max_age: timedelta

    def expired(self, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= self.idle or now - created_at >= self.max_age

    def needs_touch(self, last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= TOUCH_EVERY


@dataclass(frozen=True)
class Session:
    user: CurrentUser
    csrf_token: str
    token_hash: str
    expires_at: datetime  # the latest it can last (max age); idle may end it sooner


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class SessionStore:
    def __init__(self, engine: AsyncEngine, key: bytes, policy: SessionPolicy) -> None:
        self._engine = engine
        self._signer = Signer(key, salt="hotline.web.session", digest_method=hashlib.sha256)
        self.policy = policy

    def token_of(self, cookie: str) -> str | None:
        """The token in a cookie value, or None if the signature is wrong."""
        try:
            return self._signer.unsign(cookie.encode("ascii")).decode("ascii")
        except (BadSignature, UnicodeError):
            return None

    async def create(
        self, user_id: int, now: datetime, address: str | None, user_agent: str | None
    ) -> tuple[str, str]:
        """A new session for `user_id`: (cookie value, CSRF token). Expired rows go first."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        row = {
            "token_hash": token_hash(token),
            "user_id": user_id,
            "csrf_token": csrf,
            "created_at": now,
            "last_seen_at": now,
            "address": (address or "")[:ADDRESS_MAX] or None,
            "user_agent": (user_agent or "")[:USER_AGENT_MAX] or None,
        }
        async with self._engine.begin() as conn:
            await conn.execute(delete(WebSessionRow).where(self._expired_clause(now)))
            await conn.execute(insert(WebSessionRow).values(**row))
        return self._signer.sign(token.encode("ascii")).decode("ascii"), csrf

    async def resolve(self, cookie: str, now: datetime) -> Session | None:
        """The live session of a cookie, with its user; None if unknown, expired or disabled
        (an expired or disabled one is deleted). Touches last_seen_at once a minute at most."""
        token = self.token_of(cookie)
        if token is None:
            return None
        digest = token_hash(token)
        query = (
            select(*_SESSION_COLUMNS, *_USER_COLUMNS)
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.token_hash == digest)
        )
        async with self._engine.begin() as conn:
            found = (await conn.execute(query)).first()
            if found is None:
                return None
            csrf, created_at, last_seen_at = found.csrf_token, found.created_at, found.last_seen_at
            if found.disabled or self.policy.expired(created_at, last_seen_at, now):
                await conn.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == digest))
                return None
            if self.policy.needs_touch(last_seen_at, now):
                await conn.execute(
                    update(WebSessionRow).where(WebSessionRow.token_hash == digest).values(last_seen_at=now)
                )
        user = CurrentUser(
            id=found.id,
            username=found.username,
            role=Role(found.role),
            agent_id=found.agent_id,
            display_name=found.display_name,
        )
        return Session(user, csrf, digest, created_at + self.policy.max_age)

    async def end(self, digest: str) -> None:
        """Delete the session (logout)."""
        async with self._engine.begin() as conn:
            await conn.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == digest))

    def _expired_clause(self, now: datetime) -> ColumnElement[bool]:
        return or_(
            WebSessionRow.last_seen_at <= now - self.policy.idle,
            WebSessionRow.created_at <= now - self.policy.max_age,
        )
