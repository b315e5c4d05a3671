"""The audit log: who did what in the console, when, from where (table audit_log).

Logins (ok, failed, refused by the rate limit) and logouts are recorded here by the login
routes; the pages record every supervisor/admin action with `await audit_action(request, ...)`.
`detail` is stored as JSON text (non-ASCII kept readable).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request

from hotline.clock import utcnow
from hotline.store.web_models import AuditRow
from hotline.web.auth.roles import CurrentUser, current_user

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_BLOCKED = "login_blocked"  # refused by the rate limit, password not even checked
LOGOUT = "logout"
NAME_MAX = 64
ACTION_MAX = 40


async def record(
    engine: AsyncEngine,
    user: CurrentUser | None,
    action: str,
    detail: Mapping[str, Any],
    address: str | None,
    *,
    at: datetime | None = None,
    username: str | None = None,
) -> None:
    """Write one audit row. `user` is who acted; None for an attempt by no one logged in, named
    by `username` (what was typed at the login form)."""
    if not action or len(action) > ACTION_MAX:
        raise ValueError(f"audit action must be 1..{ACTION_MAX} characters, got {action!r}")
    row = {
        "at": at or utcnow(),
        "user_id": user.id if user else None,
        "username": (user.username if user else (username or "-"))[:NAME_MAX],
        "role": user.role.value if user else None,
        "action": action,
        "detail": json.dumps(dict(detail), ensure_ascii=False, sort_keys=True, default=str),
        "address": (address or "")[:NAME_MAX] or None,
    }
    async with engine.begin() as conn:
        await conn.execute(insert(AuditRow).values(**row))


async def audit_action(request: Request, action: str, detail: Mapping[str, Any]) -> None:
    """Record what the logged-in user of `request` did (for a route behind `require`). Uses the
    engine and clock the auth middleware put on the request."""
    user = current_user(request)
    if user is None:
        raise RuntimeError("audit_action() needs a logged-in user: put the route behind require()")
    kit = request.state.auth_kit
    address = request.client.host if request.client else None
    await record(kit.deps.engine, user, action, detail, address, at=kit.deps.clock())
