"""What the auth middleware and the login routes share: the session store, the pre-login CSRF
tokens, the password hasher and the login rate limit, built once from `WebDeps`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hotline.web.auth.csrf import PreLoginTokens
from hotline.web.auth.passwords import Passwords
from hotline.web.auth.rate_limit import LoginRateLimit
from hotline.web.auth.secret_key import load_or_create
from hotline.web.auth.sessions import SessionPolicy, SessionStore
from hotline.web.deps import WebDeps


@dataclass(frozen=True)
class AuthKit:
    deps: WebDeps
    sessions: SessionStore
    prelogin: PreLoginTokens
    passwords: Passwords
    limiter: LoginRateLimit

    @property
    def secure_cookies(self) -> bool:
        return self.deps.web.secure_cookies

    @classmethod
    def build(cls, deps: WebDeps, passwords: Passwords | None = None) -> AuthKit:
        """Read (or create) the signing key in `web.secret_file`; SecretKeyError if unusable."""
        web = deps.web
        key = load_or_create(web.secret_file)
        policy = SessionPolicy(
            idle=timedelta(minutes=web.session_idle_minutes), max_age=timedelta(hours=web.session_max_hours)
        )
        return cls(
            deps=deps,
            sessions=SessionStore(deps.engine, key, policy),
            prelogin=PreLoginTokens(key),
            passwords=passwords or Passwords(),
            limiter=LoginRateLimit(web.login_attempts, timedelta(seconds=web.login_window_seconds)),
        )
