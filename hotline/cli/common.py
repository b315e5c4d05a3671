"""Shared CLI bits: where the config is, loading it or exiting with every error listed."""
from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console

from ..settings import ConfigError, Settings, load_settings
from ..store.db import make_engine, upgrade

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

ConfigOption = typer.Option(None, "--config", "-c", help="site config (default: $HOTLINE_CONFIG or config/hotline.yaml)")


def config_path(path: Path | None) -> Path:
    return path or Path(os.environ.get("HOTLINE_CONFIG", "config/hotline.yaml"))


def settings_or_exit(path: Path | None) -> Settings:
    try:
        return load_settings(config_path(path))
    except ConfigError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(2) from None


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `error: message` on stderr; raise the returned Exit (exit code 2 = bad input)."""
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code)


async def with_engine(url: str, work):
    """Migrate the database at `url`, then `await work(engine)` and dispose of the engine."""
    await upgrade(url)
    engine = make_engine(url)
    try:
        return await work(engine)
    finally:
        await engine.dispose()
