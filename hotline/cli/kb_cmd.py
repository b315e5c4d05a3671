"""`hotline kb import FILE.yaml` and `hotline kb list`: the knowledge base's standard answers.

An import is all or nothing: every entry is checked first (every bad one reported with its
file:line, exit 2, nothing written), then the whole file is written in one transaction. It runs
here, in the CLI, never in the daemon. The import is recorded in the console's audit log as done
by `cli:<login name>`.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hotline.cli.common import ConfigOption, err, out, settings_or_exit, with_engine
from hotline.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hotline.kb.importer import ImportResult

app = typer.Typer(no_args_is_help=True, help="knowledge base: the standard answers agents search")


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in the environment or the passwd file
        return "cli:?"


@app.command("import")
def kb_import(
    file: Path = typer.Argument(..., help="YAML with a list `articles:` of title, body, tags, category"),
    config: Path = ConfigOption,
) -> None:
    """Add the file's articles and update those with the same title (all of them or none)."""
    import asyncio

    from hotline.kb.importer import KbImportError, import_drafts, read_drafts
    from hotline.web.auth import audit

    s = settings_or_exit(config)
    try:
        drafts = read_drafts(file, dict(s.categories.agent_categories))
    except KbImportError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        err.print(f"{len(exc.errors)} error(s): nothing was imported", markup=False)
        raise typer.Exit(2) from None
    actor, now = _cli_actor(), utcnow()

    async def work(engine: AsyncEngine) -> ImportResult:
        result = await import_drafts(engine, drafts, actor=actor, now=now)
        detail = {"file": str(file), "articles": len(drafts), **asdict(result)}
        await audit.record(engine, None, "kb_import", detail, None, at=now, username=actor)
        return result

    result = asyncio.run(with_engine(s.database.url, work))
    out.print(
        f"{len(drafts)} article(s) in {file}: {result.added} added, {result.updated} updated "
        f"({result.restored} of them restored from the archive), {result.unchanged} unchanged",
        markup=False,
        highlight=False,
    )


@app.command("list")
def kb_list(
    show_all: bool = typer.Option(False, "--all", help="also the archived articles"),
    config: Path = ConfigOption,
) -> None:
    """Show the articles in the order they were added (last change in local time)."""
    import asyncio

    from rich.table import Table
    from rich.text import Text

    from hotline.kb.store import list_articles
    from hotline.selfservice.local_time import LOCAL_TZ

    s = settings_or_exit(config)
    labels = dict(s.categories.agent_categories)
    articles = asyncio.run(with_engine(s.database.url, lambda e: list_articles(e, include_archived=show_all)))
    if not articles:
        out.print("the knowledge base is empty: hotline kb import config/kb.yaml", markup=False)
        return
    table = Table(title="knowledge base")
    for column in ("id", "title", "category", "tags", "version", "updated", "state"):
        table.add_column(column)
    for a in articles:
        category = labels.get(a.category, a.category) if a.category else "-"
        updated = a.updated_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        cells = (a.title, category, " ".join(a.tags) or "-")
        state = "archived" if a.archived else "live"
        table.add_row(str(a.id), *(Text(c) for c in cells), str(a.version), updated, state)
    out.print(table)
