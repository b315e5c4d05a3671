"""`hotline run`: the daemon in the foreground."""
from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from ..daemon import run_daemon
from ..logs import setup_logging
from .common import ConfigOption, settings_or_exit


def run(config: Path = ConfigOption,
        log_level: str = typer.Option("INFO", help="DEBUG, INFO, WARNING, ERROR"),
        json_logs: bool = typer.Option(None, "--json/--console", help="default: JSON unless on a terminal")) -> None:
    """Run the FastAGI + AMI daemon until SIGTERM/SIGINT."""
    settings = settings_or_exit(config)
    setup_logging(log_level, json=json_logs)

    async def main() -> None:
        await run_daemon(settings, asyncio.Event(), signals=True)

    asyncio.run(main())
