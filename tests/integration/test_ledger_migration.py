"""Migration 0005: calls.outcome accepts `fallback` on SQLite and PostgreSQL, keeps the rows and the
other checks, and a downgrade turns `fallback` rows into `failed` ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from hotline.store.db import alembic_config, make_engine, upgrade
from hotline.store.models import Call

T = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def row(uid: str, outcome: str, direction: str = "inbound") -> dict:
    return {"uniqueid": uid, "direction": direction, "started_at": T, "outcome": outcome}


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


async def _outcomes(engine) -> dict[str, str]:
    async with engine.connect() as conn:
        return dict((await conn.execute(select(Call.uniqueid, Call.outcome).order_by(Call.id))).all())


async def _refused(engine, values: dict, check: str = "ck_calls_outcome") -> None:
    """Inserting `values` is refused by the check constraint named `check` (both databases name it)."""
    with pytest.raises(IntegrityError, match=check):
        async with engine.begin() as conn:
            await conn.execute(insert(Call), values)


async def test_outcome_fallback_is_accepted_and_rows_survive_the_migration(db_url):
    await upgrade(db_url, "0004")
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(Call), [row("before", "failed")])
        await _refused(engine, row("early", "fallback"))  # the old check refuses it
        await upgrade(db_url)
        async with engine.begin() as conn:
            await conn.execute(insert(Call), [row("f1", "fallback")])
        await _refused(engine, row("x", "nonsense"))
        await _refused(engine, row("y", "failed", direction="sideways"), "ck_calls_direction")
        assert await _outcomes(engine) == {"before": "failed", "f1": "fallback"}

        async with engine.begin() as conn:
            await conn.run_sync(_downgrade, "0004")
        assert await _outcomes(engine) == {"before": "failed", "f1": "failed"}
        await _refused(engine, row("late", "fallback"))
    finally:
        await engine.dispose()
