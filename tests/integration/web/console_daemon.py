"""The daemon in-process with its web console on a free port (no AMI): for the console tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from daemon_settings import daemon_settings

from hotline.daemon.wiring import Running, run_daemon
from hotline.settings import Settings


def console_settings(db_url: str, tmp: Path) -> Settings:
    return daemon_settings(
        db_url, tmp, web={"host": "127.0.0.1", "port": 0, "secret_file": str(tmp / "web_secret")}
    )


async def start_daemon(db_url: str, tmp: Path) -> tuple[Running, asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    started = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_daemon(console_settings(db_url, tmp), stop, ami_enabled=False, started=started)
    )
    return await asyncio.wait_for(started, 20), stop, task
