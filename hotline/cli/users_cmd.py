"""`hotline users add|passwd|list|disable|enable`: the web console's accounts.

Passwords are typed at a hidden prompt (twice), or read as one line from stdin with
--password-stdin (scripts). Every input is checked before the store is touched: a bad role,
an unknown 工号, a weak password or a taken name is a one-line error and changes nothing.
Each change is also written to the audit log as done by `cli:<login name>`.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from hotline.cli.common import ConfigOption, fail, out, settings_or_exit, with_engine
from hotline.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hotline.settings import Settings

app = typer.Typer(no_args_is_help=True, help="web console accounts (log in at web: host:port)")
T = TypeVar("T")
PasswordStdin = typer.Option(False, "--password-stdin", help="read the password as one line from stdin")


def _run(s: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    import asyncio

    from hotline.web.auth import accounts

    try:
        return asyncio.run(with_engine(s.database.url, work))
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None


async def _audited(engine: AsyncEngine, action: str, detail: Mapping[str, object]) -> None:
    from hotline.web.auth import audit

    try:
        who = f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in the environment or the passwd file
        who = "cli:?"
    await audit.record(engine, None, action, detail, None, username=who)


def _password(username: str, from_stdin: bool) -> str:
    """The new password (policy checked): one stdin line, or typed twice at a hidden prompt."""
    from hotline.web.auth.passwords import WeakPassword, check_policy

    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    else:
        password = typer.prompt("新密码 (new password)", hide_input=True, confirmation_prompt=True)
    try:
        check_policy(username, password)
    except WeakPassword as exc:
        raise fail(str(exc)) from None
    return password


@app.command("add")
def add(
    username: str = typer.Argument(..., help="1-32 characters of A-Z a-z 0-9 _ . -"),
    role: str = typer.Option(..., "--role", help="agent (座席), supervisor (班长) or admin (管理员)"),
    agent: str | None = typer.Option(None, "--agent", metavar="工号", help="the agent's 工号 (agents: id)"),
    name: str | None = typer.Option(None, "--name", help="display name, e.g. 张三"),
    password_stdin: bool = PasswordStdin,
    config: Path = ConfigOption,
) -> None:
    """Add an account. An agent account needs --agent, a 工号 configured under agents:."""
    from hotline.web.auth import accounts
    from hotline.web.auth.passwords import Passwords

    s = settings_or_exit(config)
    try:
        new = accounts.check_new_account(username, role, agent, name, [a.id for a in s.agents])
    except accounts.AccountError as exc:
        raise fail(str(exc)) from None
    hashed = Passwords().hash(_password(username, password_stdin))

    async def work(engine: AsyncEngine) -> None:
        await accounts.add_user(engine, new, hashed, utcnow())
        detail = {"username": new.username, "role": new.role.value, "agent_id": new.agent_id}
        await _audited(engine, "user_add", detail)

    _run(s, work)
    out.print(f"user {new.username} added ({new.role.value})", markup=False, highlight=False)


@app.command("passwd")
def passwd(
    username: str = typer.Argument(...),
    password_stdin: bool = PasswordStdin,
    config: Path = ConfigOption,
) -> None:
    """Set a new password; the account's open sessions end (it logs in again)."""
    from hotline.web.auth import accounts
    from hotline.web.auth.passwords import Passwords

    s = settings_or_exit(config)
    if _run(s, lambda engine: accounts.find_for_login(engine, username)) is None:
        raise fail(f"没有用户 {username!r} (no such user)")
    hashed = Passwords().hash(_password(username, password_stdin))

    async def work(engine: AsyncEngine) -> None:
        await accounts.set_password_hash(engine, username, hashed, utcnow())
        await _audited(engine, "user_passwd", {"username": username})

    _run(s, work)
    out.print(f"password of {username} changed; its sessions are ended", markup=False, highlight=False)


def _set_disabled(username: str, disabled: bool, config: Path | None) -> None:
    from hotline.web.auth import accounts

    s = settings_or_exit(config)

    async def work(engine: AsyncEngine) -> bool:
        changed = await accounts.set_disabled(engine, username, disabled)
        if changed:
            await _audited(engine, "user_disable" if disabled else "user_enable", {"username": username})
        return changed

    changed = _run(s, work)
    state = "disabled" if disabled else "enabled"
    message = f"user {username} {state}" if changed else f"user {username} was already {state}"
    out.print(message + ("; its sessions are ended" if disabled and changed else ""), markup=False)


@app.command("disable")
def disable(username: str = typer.Argument(...), config: Path = ConfigOption) -> None:
    """Disable an account: it cannot log in, and its open sessions end at once."""
    _set_disabled(username, True, config)


@app.command("enable")
def enable(username: str = typer.Argument(...), config: Path = ConfigOption) -> None:
    """Enable a disabled account again."""
    _set_disabled(username, False, config)


def _local(value: datetime | None) -> str:
    from hotline.selfservice.local_time import LOCAL_TZ

    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else "-"


@app.command("list")
def list_users(config: Path = ConfigOption) -> None:
    """Show every account with its last login (local time)."""
    from rich.table import Table
    from rich.text import Text

    from hotline.web.auth import accounts

    s = settings_or_exit(config)
    found = _run(s, accounts.list_accounts)
    if not found:
        out.print("no accounts yet: hotline users add NAME --role supervisor", markup=False)
        return
    table = Table(title="web console accounts")
    for column in ("username", "role", "工号", "name", "disabled", "last login"):
        table.add_column(column)
    for a in found:
        cells = (a.username, a.role.value, a.agent_id or "-", a.display_name or "-")
        table.add_row(*(Text(c) for c in cells), "yes" if a.disabled else "no", _local(a.last_login_at))
    out.print(table)
