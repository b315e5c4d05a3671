"""Alembic environment for the call store.

`hotline.store.db.upgrade()` passes an open connection in `config.attributes["connection"]`.
Run by the alembic command line instead, the URL comes from `-x url=...` or the
HOTLINE_DATABASE_URL environment variable.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

import hotline.dialer.models  # noqa: F401  (dialer tables join Base.metadata)
import hotline.harassment.models  # noqa: F401  (flagged numbers join Base.metadata)
import hotline.orders.models  # noqa: F401  (work orders join Base.metadata)
import hotline.quality.models  # noqa: F401  (quality reviews join Base.metadata)
import hotline.selfservice.models  # noqa: F401  (self-service tables join Base.metadata)
import hotline.store.menu_models  # noqa: F401  (menu versions join Base.metadata)
import hotline.store.prompt_models  # noqa: F401  (prompt overrides join Base.metadata)
import hotline.store.web_models  # noqa: F401  (web console accounts join Base.metadata)
from hotline.kb.models import managed_by_metadata  # the knowledge base joins Base.metadata
from hotline.store.db import make_engine
from hotline.store.models import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER most things
        compare_type=True,
        include_name=managed_by_metadata,  # the KB's full-text search objects are not in it
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("HOTLINE_DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set HOTLINE_DATABASE_URL")
    return url


async def _run_with_new_engine(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_configure_and_run)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    _configure_and_run(shared)
else:
    asyncio.run(_run_with_new_engine(_url()))
