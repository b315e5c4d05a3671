"""Fixtures shared by the integration tests (tests/conftest.py has `db_url` and `engine`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from daemon_settings import daemon_settings
from in_process import daemon_in_process
from report_day import CALLS, EVENTS
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.daemon.wiring import Running
from hotline.store.models import Call, CallEvent


@pytest.fixture
def config(tmp_path: Path, db_url: str) -> Path:
    """A minimal hotline.yaml (company X) whose database is `db_url`."""
    path = tmp_path / "hotline.yaml"
    path.write_text(f"company: X\ndatabase:\n  url: {db_url}\n", encoding="utf-8")
    return path


@pytest.fixture
async def loaded_engine(engine: AsyncEngine) -> AsyncEngine:
    """The migrated store holding the hand-made report day (report_day.CALLS and EVENTS)."""
    async with engine.begin() as conn:
        await conn.execute(insert(Call), CALLS)
        await conn.execute(insert(CallEvent), EVENTS)
    return engine


@pytest.fixture
async def daemon(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    """The daemon running in-process on `db_url` (daemon_settings, no AMI), stopped afterwards."""
    async with daemon_in_process(daemon_settings(db_url, tmp_path)) as running:
        yield running
