"""Fixtures of the web console tests: the store (tests/conftest.py `engine`), a movable clock,
the test app (web_harness.build) and an HTTP client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from console_daemon import console_settings
from in_process import daemon_in_process
from sqlalchemy.ext.asyncio import AsyncEngine
from web_harness import Clock, Probe, build, client, settings

from hotline.daemon.wiring import Running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def offload() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(2, thread_name_prefix="test-offload")
    yield pool
    pool.shutdown()


@pytest.fixture
def web(engine: AsyncEngine, db_url: str, tmp_path: Path, clock: Clock, offload: ThreadPoolExecutor):
    return build(engine, settings(db_url, tmp_path), clock, offload)


@pytest.fixture
def probe(web) -> Probe:
    return web[1]


@pytest.fixture
async def http(web) -> AsyncIterator[httpx.AsyncClient]:
    async with client(web[0]) as c:
        yield c


@pytest.fixture
async def console(db_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    """The daemon in-process with its console on a free port (console_daemon.py), stopped after."""
    async with daemon_in_process(console_settings(db_url, tmp_path), stop_s=15) as running:
        yield running
