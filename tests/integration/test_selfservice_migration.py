"""Migration 0002 builds the self-service tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import hotline.selfservice.models  # noqa: F401  (registers the tables in Base.metadata)
from hotline.kb.models import managed_by_metadata  # the KB's search objects are not in it
from hotline.store.db import alembic_config, make_engine, upgrade
from hotline.store.models import Base


def _tables(conn: Connection) -> dict[str, set[str]]:
    insp = inspect(conn)
    return {t: {i["name"] for i in insp.get_indexes(t)} for t in ("outage_notices", "accounts")}


def _drift(conn: Connection) -> list:
    opts = {"compare_type": True, "include_name": managed_by_metadata}  # as env.py does
    context = MigrationContext.configure(conn, opts=opts)
    return compare_metadata(context, Base.metadata)


async def _inspect(url: str):
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            if "accounts" not in names:
                return names, None, None, await conn.scalar(text("SELECT version_num FROM alembic_version"))
            return (
                names,
                await conn.run_sync(_tables),
                await conn.run_sync(_drift),
                await conn.scalar(text("SELECT version_num FROM alembic_version")),
            )
    finally:
        await engine.dispose()


HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()  # later migrations follow 0002


async def test_0002_creates_the_selfservice_tables_without_drift(db_url):
    await upgrade(db_url)
    await upgrade(db_url)  # idempotent
    names, indexes, drift, version = await _inspect(db_url)
    assert {"calls", "call_events", "outage_notices", "accounts"} <= names
    assert indexes == {
        "outage_notices": {"ix_outage_notices_area_code_starts_at"},
        "accounts": {"ix_accounts_phone"},
    }
    assert drift == [], "models and migrations differ: add a migration"
    assert version == HEAD


async def test_0002_downgrades_to_0001_and_back(db_url):
    await upgrade(db_url)
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to_0001)
    finally:
        await engine.dispose()
    names, _, _, version = await _inspect(db_url)
    assert version == "0001" and "accounts" not in names and "outage_notices" not in names
    await upgrade(db_url)
    assert (await _inspect(db_url))[3] == HEAD


def _downgrade_to_0001(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, "0001")
