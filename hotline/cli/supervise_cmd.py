"""`hotline supervise`: `hotline run` under the project's own watchdog supervisor (see
hotline/daemon/supervisor.py), for the lab and `make run`; in production the shipped systemd unit
does the same (`hotline service unit`)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from hotline.cli.common import ConfigOption, settings_or_exit

START_TIMEOUT_S = 90.0  # migrations and the store's recovery run before READY=1
STOP_MARGIN_S = 30.0  # beyond the drain grace, before SIGKILL (the unit's TimeoutStopSec too)


def supervise(
    config: Path = ConfigOption,
    log_level: str = typer.Option("INFO", help="DEBUG, INFO, WARNING, ERROR (the daemon's too)"),
    json_logs: bool = typer.Option(None, "--json/--console", help="default: JSON unless on a terminal"),
) -> None:
    """Run the daemon; kill and restart it when its event loop stops answering the watchdog."""
    import asyncio

    from hotline.daemon.supervisor import Supervisor
    from hotline.observability.logs import setup_logging

    settings = settings_or_exit(config)
    setup_logging(log_level, json=json_logs)
    command = [sys.executable, "-m", "hotline.cli", "run", "--log-level", log_level]
    if config is not None:
        command += ["-c", str(config)]
    if json_logs is not None:
        command.append("--json" if json_logs else "--console")
    live = settings.liveness
    supervisor = Supervisor(
        command,
        watchdog_s=live.watchdog_seconds,
        restart_s=live.restart_seconds,
        start_timeout_s=START_TIMEOUT_S,
        stop_timeout_s=settings.shutdown_grace_seconds + STOP_MARGIN_S,
    )
    raise typer.Exit(asyncio.run(supervisor.run()))
