"""Shared fixtures. `tests/pg.py` is imported as `pg` (pytest puts this directory on sys.path)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pg import PgServer
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.settings import Settings, load_settings
from hotline.store.db import make_engine, upgrade

# lab_session, smoke_config_dir, smoke_asterisk: registered once, so one lab session per run
pytest_plugins = ["lab.pytest_fixtures"]
SHIPPED_CONFIG = Path(__file__).resolve().parents[1] / "config" / "hotline.yaml"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A throwaway PostgreSQL 15 server for the whole session (see tests/pg.py)."""
    server = PgServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    """asyncpg URL of the session's `hotline_test` database."""
    return pg_server.url()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database per test: a fresh SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """The store at `db_url`, migrated."""
    await upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def shipped_settings() -> Settings:
    """The shipped site config (config/hotline.yaml), loaded afresh for each test."""
    return load_settings(SHIPPED_CONFIG)
