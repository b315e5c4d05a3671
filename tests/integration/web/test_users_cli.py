"""`hotline users add|passwd|list|disable|enable`: good input works, bad input is a one-line error
(exit 2, like every bad input of the CLI) and changes nothing. SQLite only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hotline.cli import app
from hotline.store.db import make_engine
from hotline.store.web_models import AuditRow, UserRow, WebSessionRow
from hotline.web.auth.audit import LOGIN, record
from hotline.web.auth.passwords import Passwords
from hotline.web.auth.roles import CurrentUser, Role
from hotline.web.auth.sessions import SessionPolicy, SessionStore

GOOD = "Strong-pass-1"


@pytest.fixture
def conf(tmp_path) -> Path:
    path = tmp_path / "hotline.yaml"
    path.write_text(
        "company: X\n"
        f"database:\n  url: sqlite+aiosqlite:///{tmp_path / 'h.db'}\n"
        "agents:\n"
        "  - {id: '001', extension: '1001', secret: pw1001-x}\n"
        "  - {id: '002', extension: '1002', secret: pw1002-x}\n",
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["db", "upgrade", "--config", str(path)]).exit_code == 0
    return path


def cli(conf: Path, *args: str, stdin: str | None = None):
    result = CliRunner().invoke(
        app, ["users", *args, "--config", str(conf)], input=stdin, env={"COLUMNS": "200"}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def add(conf: Path, username: str, *args: str, password: str = GOOD):
    return cli(conf, "add", username, *args, "--password-stdin", stdin=password + "\n")


def refused(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def rows(conf: Path, query):
    async def run():
        engine = make_engine(f"sqlite+aiosqlite:///{conf.parent / 'h.db'}")
        try:
            async with engine.connect() as conn:
                return (await conn.execute(query)).all()
        finally:
            await engine.dispose()

    return asyncio.run(run())


def users(conf: Path) -> list[tuple[str, str, str | None, str | None, bool]]:
    query = select(UserRow.username, UserRow.role, UserRow.agent_id, UserRow.display_name, UserRow.disabled)
    return [tuple(r) for r in rows(conf, query.order_by(UserRow.username))]


def test_add_then_list(conf):
    r = cli(
        conf, "add", "wang", "--role", "supervisor", "--name", "王班长", "--password-stdin", stdin=GOOD + "\n"
    )
    assert r.exit_code == 0, r.output
    r = cli(conf, "add", "li.1", "--role", "agent", "--agent", "001", "--password-stdin", stdin=GOOD + "\n")
    assert r.exit_code == 0, r.output
    assert users(conf) == [
        ("li.1", "agent", "001", None, False),
        ("wang", "supervisor", None, "王班长", False),
    ]
    stored = rows(conf, select(UserRow.password_hash))[0][0]
    assert stored.startswith("$argon2id$") and GOOD not in stored
    assert Passwords().check(GOOD, stored).ok
    listing = cli(conf, "list")
    assert listing.exit_code == 0
    assert "wang" in listing.stdout and "王班长" in listing.stdout and "001" in listing.stdout
    actions = [r[0] for r in rows(conf, select(AuditRow.action, AuditRow.username))]
    assert actions == ["user_add", "user_add"]


def test_add_by_prompt_asks_twice(conf):
    r = cli(conf, "add", "zhao", "--role", "admin", stdin=f"{GOOD}\n{GOOD}\n")
    assert r.exit_code == 0, r.output
    assert GOOD not in r.output
    assert users(conf) == [("zhao", "admin", None, None, False)]


@pytest.mark.parametrize(
    "args, stdin, fragment",
    [
        (["bad name", "--role", "admin"], GOOD, "用户名"),
        (["x" * 33, "--role", "admin"], GOOD, "1-32"),
        (["wang", "--role", "boss"], GOOD, "unknown role"),
        (["wang", "--role", "agent"], GOOD, "--agent"),
        (["wang", "--role", "agent", "--agent", "009"], GOOD, "未知工号"),
        (["wang", "--role", "admin"], "short-1", "至少 10"),
        (["wang", "--role", "admin"], "1234567890123", "数字"),
        (["wang", "--role", "admin"], "aaaaaaaaaaaa", "同一个字符"),
        (["wangwangwang", "--role", "admin"], "WangWangWang", "用户名"),
        (["wang", "--role", "admin", "--name", "x" * 41], GOOD, "显示名"),
    ],
)
def test_add_refuses_bad_input(conf, args, stdin, fragment):
    refused(cli(conf, "add", *args, "--password-stdin", stdin=stdin + "\n"), fragment)
    assert users(conf) == []


def test_add_refuses_a_taken_name_or_agent(conf):
    assert (
        cli(conf, "add", "li", "--role", "agent", "--agent", "001", "--password-stdin", stdin=GOOD).exit_code
        == 0
    )
    refused(cli(conf, "add", "LI", "--role", "admin", "--password-stdin", stdin=GOOD), "已存在")
    refused(
        cli(conf, "add", "li2", "--role", "agent", "--agent", "001", "--password-stdin", stdin=GOOD), "001"
    )
    assert [u[0] for u in users(conf)] == ["li"]


def _session_for(conf: Path, username: str) -> None:
    async def run():
        engine = make_engine(f"sqlite+aiosqlite:///{conf.parent / 'h.db'}")
        try:
            async with engine.connect() as conn:
                user_id = await conn.scalar(select(UserRow.id).where(UserRow.username == username))
            store = SessionStore(engine, b"k" * 32, SessionPolicy(timedelta(hours=1), timedelta(hours=12)))
            await store.create(user_id, datetime.now(UTC), "127.0.0.1", "test")
            user = CurrentUser(user_id, username, Role.SUPERVISOR, None, None)
            await record(engine, user, LOGIN, {}, "127.0.0.1", at=datetime(2026, 11, 25, 2, 30, tzinfo=UTC))
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_passwd_changes_the_hash_and_ends_sessions(conf):
    assert add(conf, "wang", "--role", "supervisor").exit_code == 0
    before = rows(conf, select(UserRow.password_hash))[0][0]
    _session_for(conf, "wang")
    refused(cli(conf, "passwd", "wang", "--password-stdin", stdin="wang"), "至少")
    assert len(rows(conf, select(WebSessionRow.token_hash))) == 1
    r = cli(conf, "passwd", "wang", "--password-stdin", stdin="Another-pass-2\n")
    assert r.exit_code == 0, r.output
    after = rows(conf, select(UserRow.password_hash))[0][0]
    assert after != before and Passwords().check("Another-pass-2", after).ok
    assert rows(conf, select(WebSessionRow.token_hash)) == []
    refused(cli(conf, "passwd", "nobody", "--password-stdin", stdin=GOOD), "no such user")


def test_disable_ends_sessions_and_enable_restores(conf):
    assert add(conf, "wang", "--role", "supervisor").exit_code == 0
    _session_for(conf, "wang")
    r = cli(conf, "disable", "wang")
    assert r.exit_code == 0 and "disabled" in r.stdout
    assert users(conf)[0][4] is True and rows(conf, select(WebSessionRow.token_hash)) == []
    assert "already disabled" in cli(conf, "disable", "wang").stdout
    listing = cli(conf, "list").stdout
    assert "yes" in listing and "2026-11-25 10:30" in listing  # last login, local time (UTC+8)
    assert cli(conf, "enable", "wang").exit_code == 0
    assert users(conf)[0][4] is False
    refused(cli(conf, "disable", "nobody"), "no such user")
    actions = [r[0] for r in rows(conf, select(AuditRow.action).order_by(AuditRow.id))]
    assert actions == ["user_add", "login", "user_disable", "user_enable"]


def test_list_without_accounts(conf):
    r = cli(conf, "list")
    assert r.exit_code == 0 and "no accounts yet" in r.stdout
