"""`hotline flags list|add|clear`: harassment numbers (seed 000 §27) from the command line.

A flagged number hears a warning before the menu (the call goes on; see ivr/pre_menu.py).
Numbers may be written in any usual form (+86 138 0000 1111, 0551-1234567) and are stored in
their national form. Bad input is a one-line error (exit 2) checked before the store is opened;
flagging a flagged number or clearing one that is not flagged changes nothing (exit 0, says so).
Each change is written to the audit log as done by `cli:<login name>`, who is also the flag's
author or clearer.
"""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from hotline.cli.common import ConfigOption, fail, out, settings_or_exit, with_engine
from hotline.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hotline.harassment.flags import Flag, Flagged

app = typer.Typer(no_args_is_help=True, help="harassment numbers: warned before the menu (seed 000 §27)")
T = TypeVar("T")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in the environment or the passwd file
        return "cli:?"


def _run(config: Path | None, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    import asyncio

    s = settings_or_exit(config)
    return asyncio.run(with_engine(s.database.url, work))


async def _audited(engine: AsyncEngine, who: str, action: str, detail: Mapping[str, object]) -> None:
    from hotline.web.auth import audit

    await audit.record(engine, None, action, detail, None, username=who)


def _checked(check: Callable[[], T]) -> T:
    from hotline.harassment.flags import HarassmentError

    try:
        return check()
    except HarassmentError as exc:
        raise fail(str(exc)) from None


@app.command("add")
def add(
    number: str = typer.Argument(..., help="the caller's number, e.g. 13800001111 or 0551-1234567"),
    reason: str = typer.Option(..., "--reason", help="why, e.g. 多次辱骂座席 (up to 200 characters)"),
    config: Path = ConfigOption,
) -> None:
    """Flag a number: its calls hear the harassment warning before the menu and are logged."""
    from hotline.harassment.flags import check_flag, flag_number

    who = _actor()
    nat, text, _, _ = _checked(lambda: check_flag(number, reason, who))

    async def work(engine: AsyncEngine) -> Flagged:
        done = await flag_number(engine, nat, text, who, None, utcnow())
        if done.created:
            await _audited(engine, who, "flag_add", {"number": nat, "reason": text, "flag": done.flag.id})
        return done

    done = _run(config, work)
    f = done.flag
    if done.created:
        out.print(f"number {nat} flagged", markup=False, highlight=False)
    else:
        since = f"{_local(f.flagged_at)} by {f.flagged_by}"
        out.print(
            f"number {nat} was already flagged (since {since}: {f.reason})", markup=False, highlight=False
        )


@app.command("clear")
def clear(number: str = typer.Argument(...), config: Path = ConfigOption) -> None:
    """Clear a number's flag (a supervisor's decision): its calls are no longer warned."""
    from hotline.harassment.flags import clear_flag, national

    who = _actor()
    nat = _checked(lambda: national(number))

    async def work(engine: AsyncEngine) -> list[Flag]:
        cleared = await clear_flag(engine, nat, who, utcnow())
        if cleared:
            await _audited(engine, who, "flag_clear", {"number": nat, "flags": [f.id for f in cleared]})
        return cleared

    cleared = _run(config, work)
    message = f"number {nat} cleared" if cleared else f"number {nat} was not flagged"
    out.print(message, markup=False, highlight=False)


def _local(value: datetime | None) -> str:
    from hotline.selfservice.local_time import LOCAL_TZ

    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else "-"


@app.command("list")
def list_cmd(
    all_: bool = typer.Option(False, "--all", help="also the cleared flags (the history)"),
    config: Path = ConfigOption,
) -> None:
    """The flagged numbers, newest first (local time)."""
    from rich.table import Table
    from rich.text import Text

    from hotline.harassment.flags import list_flags

    found = _run(config, lambda engine: list_flags(engine, include_cleared=all_))
    if not found:
        out.print("no flagged numbers" if not all_ else "no flags yet", markup=False)
        return
    table = Table(title="harassment numbers" + (" (with cleared)" if all_ else ""))
    for column in ("number", "reason", "flagged", "by", "call", "cleared", "cleared by"):
        table.add_column(column, no_wrap=column in ("number", "flagged", "cleared"))  # never cut
    for f in found:
        cells = (f.number, f.reason, _local(f.flagged_at), f.flagged_by, f.call_uniqueid or "-")
        table.add_row(*(Text(c) for c in cells), _local(f.cleared_at), Text(f.cleared_by or "-"))
    out.print(table)
