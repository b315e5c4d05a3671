"""`hotline db upgrade`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hotline.cli.common import ConfigOption, out, settings_or_exit, with_engine

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

app = typer.Typer(no_args_is_help=True, help="the call store")


async def _nothing(engine: AsyncEngine) -> None:
    """with_engine() has migrated the store; nothing else to do."""


@app.command("upgrade")
def upgrade_cmd(config: Path = ConfigOption) -> None:
    """Apply the store's migrations (the daemon also does this at start)."""
    import asyncio

    s = settings_or_exit(config)
    asyncio.run(with_engine(s.database.url, _nothing))
    out.print("database is at the latest revision", markup=False)
