"""`hotline db upgrade`."""
from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from ..store.db import upgrade
from .common import ConfigOption, out, settings_or_exit

app = typer.Typer(no_args_is_help=True, help="the call store")


@app.command("upgrade")
def upgrade_cmd(config: Path = ConfigOption) -> None:
    """Apply the store's migrations (the daemon also does this at start)."""
    s = settings_or_exit(config)
    asyncio.run(upgrade(s.database.url))
    out.print("database is at the latest revision", markup=False)
