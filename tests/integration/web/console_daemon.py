"""The daemon in-process with its web console on a free port (no AMI): for the console tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from daemon_settings import daemon_settings
from in_process import daemon_in_process

from hotline.daemon.wiring import Running
from hotline.settings import Settings


def console_settings(db_url: str, tmp: Path) -> Settings:
    return daemon_settings(
        db_url, tmp, web={"host": "127.0.0.1", "port": 0, "secret_file": str(tmp / "web_secret")}
    )


@contextlib.asynccontextmanager
async def console_daemon(db_url: str, tmp: Path) -> AsyncIterator[Running]:
    """The daemon with its console (`running.console`), stopped on the way out."""
    async with daemon_in_process(console_settings(db_url, tmp), stop_s=15) as running:
        yield running
