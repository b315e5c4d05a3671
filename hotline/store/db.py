"""Engines for the call store, and schema upgrades (alembic, configured in code).

Supported URLs: `sqlite+aiosqlite:///path/to/file.db` and `postgresql+asyncpg://user:pw@host/db`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def make_engine(url: str | URL) -> AsyncEngine:
    """An async engine for `url`; SQLite files get their parent directory and WAL mode."""
    u = make_url(url)
    if u.drivername == "sqlite+aiosqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(u, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        return engine
    if u.drivername == "postgresql+asyncpg":
        return create_async_engine(u, pool_pre_ping=True)
    raise ValueError(
        f"unsupported database URL {u.render_as_string(hide_password=True)!r}: "
        "use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER:PW@HOST/DB"
    )


def alembic_config() -> Config:
    """An alembic Config pointing at the migrations shipped inside this package (no .ini).
    alembic is imported here, not at the top: a report or any command that only reads the store
    starts without it (a tenth of a second)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return cfg


def _upgrade_on(connection: Connection, revision: str) -> None:
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def upgrade(url: str | URL, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (default: the newest). Safe to run every start."""
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_on, revision)
    finally:
        await engine.dispose()
