"""Migration 0006: the console's tables and their constraints, on SQLite and PostgreSQL; a
downgrade removes them and an upgrade brings them back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import delete, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from hotline.store.db import alembic_config, make_engine, upgrade
from hotline.store.web_models import UserRow, WebSessionRow

T = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
WEB_TABLES = {"users", "web_sessions", "audit_log"}


def user(name: str, role: str = "supervisor", agent_id: str | None = None) -> dict:
    return {
        "username": name,
        "password_hash": "$argon2id$x",
        "role": role,
        "agent_id": agent_id,
        "created_at": T,
        "password_changed_at": T,
    }


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


async def _refused(engine, values: dict, constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint):
        async with engine.begin() as conn:
            await conn.execute(insert(UserRow), values)


async def test_constraints_and_the_way_back(db_url):
    await upgrade(db_url)
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(UserRow), [user("wang"), user("li", "agent", "001")])
            assert (await conn.scalar(select(UserRow.disabled).where(UserRow.username == "wang"))) is False
        await _refused(engine, user("zhao", "root"), "ck_users_role")
        await _refused(engine, user("zhao", "agent"), "ck_users_agent_has_id")
        await _refused(engine, user("wang"), "uq_users_username|users.username")
        await _refused(engine, user("zhao", "agent", "001"), "uq_users_agent_id|users.agent_id")
        async with engine.begin() as conn:  # a session goes with its user
            uid = await conn.scalar(select(UserRow.id).where(UserRow.username == "wang"))
            session = {"token_hash": "a" * 64, "user_id": uid, "csrf_token": "c", "created_at": T}
            await conn.execute(insert(WebSessionRow), [{**session, "last_seen_at": T}])
            await conn.execute(delete(UserRow).where(UserRow.id == uid))
            assert (await conn.execute(select(WebSessionRow))).all() == []
            await conn.run_sync(_downgrade, "0005")
            assert not WEB_TABLES & set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    await upgrade(db_url)
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            assert WEB_TABLES <= set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()
