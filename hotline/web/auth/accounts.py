"""Console accounts in the store: add, new password, disable/enable, list, and the lookup the
login makes. The checks that need no database (user name, role, 工号, display name) are pure
functions the CLI runs first, so bad input changes nothing. Disabling an account or giving it a
new password deletes its sessions: it is logged out at its next request."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.store.web_models import DISPLAY_NAME_MAX, AuditRow, UserRow, WebSessionRow
from hotline.web.auth.audit import LOGIN
from hotline.web.auth.roles import CurrentUser, Role

USERNAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")


class AccountError(ValueError):
    """Bad account input or a conflict with an existing account; nothing was changed."""


@dataclass(frozen=True)
class NewAccount:
    username: str
    role: Role
    agent_id: str | None
    display_name: str | None


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    agent_id: str | None
    display_name: str | None
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise AccountError(
            f"用户名 {username!r} 无效：1-32 个字符，只能是字母、数字、_ . - "
            "(user name: 1-32 characters of A-Z a-z 0-9 _ . -)"
        )
    return username


def check_new_account(
    username: str, role: str, agent_id: str | None, display_name: str | None, known_agents: Iterable[str]
) -> NewAccount:
    """The account to add, or AccountError: an agent account needs a 工号 configured under agents:."""
    check_username(username)
    try:
        the_role = Role(role)
    except ValueError:
        raise AccountError(f"unknown role {role!r}: one of {', '.join(r.value for r in Role)}") from None
    if the_role is Role.AGENT and not agent_id:
        raise AccountError("座席账号必须指定工号 (an agent account needs --agent 工号)")
    known = sorted(known_agents)
    if agent_id is not None and agent_id not in known:
        raise AccountError(f"未知工号 {agent_id!r} (unknown 工号; agents: {', '.join(known) or 'none'})")
    name = display_name.strip() if display_name else None
    if name and (len(name) > DISPLAY_NAME_MAX or not name.isprintable()):
        raise AccountError(
            f"显示名最多 {DISPLAY_NAME_MAX} 个可打印字符 (display name too long or not printable)"
        )
    return NewAccount(username, the_role, agent_id, name or None)


async def add_user(engine: AsyncEngine, new: NewAccount, password_hash: str, now: datetime) -> int:
    """Insert the account; AccountError if the name (in any case) or the 工号 is taken."""
    async with engine.begin() as conn:
        taken = await conn.scalar(
            select(UserRow.username).where(func.lower(UserRow.username) == new.username.lower())
        )
        if taken is not None:
            raise AccountError(f"用户 {taken!r} 已存在 (user already exists)")
        if new.agent_id is not None:
            holder = await conn.scalar(select(UserRow.username).where(UserRow.agent_id == new.agent_id))
            if holder is not None:
                raise AccountError(f"工号 {new.agent_id} 已属于用户 {holder!r} (工号 already has an account)")
        values = {
            "username": new.username,
            "password_hash": password_hash,
            "role": new.role.value,
            "agent_id": new.agent_id,
            "display_name": new.display_name,
            "disabled": False,
            "created_at": now,
            "password_changed_at": now,
        }
        try:
            result = await conn.execute(insert(UserRow).values(**values).returning(UserRow.id))
        except IntegrityError:  # added by someone else between the checks and here
            raise AccountError(f"用户 {new.username!r} 或工号已存在 (user or 工号 already exists)") from None
        return int(result.scalar_one())


async def set_password_hash(engine: AsyncEngine, username: str, password_hash: str, now: datetime) -> None:
    """Store a new password (already hashed) and end the account's sessions."""
    async with engine.begin() as conn:
        user_id = await _user_id(conn, username)
        await conn.execute(
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(password_hash=password_hash, password_changed_at=now)
        )
        await conn.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))


async def set_disabled(engine: AsyncEngine, username: str, disabled: bool) -> bool:
    """Disable (ending its sessions) or enable an account; False if it already was."""
    async with engine.begin() as conn:
        user_id = await _user_id(conn, username)
        result = await conn.execute(
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.disabled != disabled)
            .values(disabled=disabled)
        )
        if disabled:
            await conn.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
        return bool(result.rowcount)


async def list_accounts(engine: AsyncEngine) -> list[Account]:
    """Every account by user name, with its last successful login (from the audit log)."""
    last = (
        select(AuditRow.user_id, func.max(AuditRow.at).label("at"))
        .where(AuditRow.action == LOGIN)
        .group_by(AuditRow.user_id)
        .subquery()
    )
    u = UserRow
    query = (
        select(u.id, u.username, u.role, u.agent_id, u.display_name, u.disabled, u.created_at, last.c.at)
        .outerjoin(last, last.c.user_id == u.id)
        .order_by(u.username)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [Account(r[0], r[1], Role(r[2]), r[3], r[4], r[5], r[6], r[7]) for r in rows]


@dataclass(frozen=True)
class LoginCandidate:
    user: CurrentUser
    password_hash: str
    disabled: bool


async def find_for_login(engine: AsyncEngine, username: str) -> LoginCandidate | None:
    """The account a login form names (the exact user name), or None."""
    u = UserRow
    query = select(u.id, u.username, u.role, u.agent_id, u.display_name, u.password_hash, u.disabled).where(
        u.username == username
    )
    async with engine.connect() as conn:
        r = (await conn.execute(query)).first()
    if r is None:
        return None
    return LoginCandidate(CurrentUser(r[0], r[1], Role(r[2]), r[3], r[4]), r[5], r[6])


async def replace_hash(engine: AsyncEngine, user_id: int, old_hash: str, new_hash: str) -> None:
    """Store the same password hashed with today's costs (at login); not a password change, so
    sessions stay. Skipped if the password was changed meanwhile."""
    async with engine.begin() as conn:
        await conn.execute(
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.password_hash == old_hash)
            .values(password_hash=new_hash)
        )


async def _user_id(conn: AsyncConnection, username: str) -> int:
    user_id = await conn.scalar(select(UserRow.id).where(UserRow.username == username))
    if user_id is None:
        raise AccountError(f"没有用户 {username!r} (no such user)")
    return int(user_id)
