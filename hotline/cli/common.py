"""Shared CLI bits: where the config is, loading it or exiting with every error listed, one-line
errors (exit 2: bad input or config; exit 1: an I/O failure such as an unwritable output file or
an unusable database), the store for a command, and writing an output file whole or not at all.

Like every module of this package, it imports only light modules at its top (typer, rich's
console); what a command needs to run is imported in the function that needs it."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:  # imported where used: `hotline --help` need not load pydantic or SQLAlchemy
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hotline.settings import Settings

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

BAD_INPUT, IO_FAILURE = 2, 1
T = TypeVar("T")

ConfigOption = typer.Option(
    None, "--config", "-c", help="site config (default: $HOTLINE_CONFIG or config/hotline.yaml)"
)


def config_path(path: Path | None) -> Path:
    return path or Path(os.environ.get("HOTLINE_CONFIG", "config/hotline.yaml"))


def settings_or_exit(path: Path | None) -> Settings:
    from hotline.settings import ConfigError, load_settings

    try:
        return load_settings(config_path(path))
    except ConfigError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(2) from None


def fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    """Print `error: message` on stderr (one line); raise the returned Exit (exit code 2 = bad
    input, 1 = I/O failure)."""
    one_line = " ".join(str(message).split())
    err.print(f"error: {one_line}", markup=False, highlight=False)
    return typer.Exit(code)


def io_failure(what: str, exc: Exception) -> typer.Exit:
    """fail() for an OSError or a database error: `cannot <what>: <reason>`, exit 1."""
    if isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    else:  # a database error: its driver's first line, without SQLAlchemy's background link
        text = str(getattr(exc, "orig", None) or exc)
        reason = text.splitlines()[0] if text.strip() else type(exc).__name__
    return fail(f"cannot {what}: {reason}", IO_FAILURE)


async def with_engine(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Migrate the database at `url`, then `await work(engine)` and dispose of the engine; a
    database that cannot be opened or used is a one-line error (exit 1)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from hotline.store.db import make_engine, upgrade

    where = make_url(url).render_as_string(hide_password=True)
    try:
        await upgrade(url)
        engine = make_engine(url)
    except (SQLAlchemyError, OSError) as exc:
        raise io_failure(f"open the database {where}", exc) from None
    try:
        return await work(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise io_failure(f"use the database {where}", exc) from None
    finally:
        await engine.dispose()


def write_atomically(path: Path, write: Callable[[TextIO], None]) -> None:
    """`write(file)` into a temporary file next to `path`, renamed over it once complete: a
    failure leaves `path` as it was and no temporary file. A device or pipe (/dev/stdout) is
    written directly. OSError on failure."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(path))
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as f:
            write(f)
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            write(f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
