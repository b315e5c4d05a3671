"""`hotline outage add|list` and `hotline accounts import`: the IVR's self-service data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hotline.cli.common import ConfigOption, err, fail, out, settings_or_exit, with_engine
from hotline.cli.tell_daemon import store_changed
from hotline.clock import utcnow

if TYPE_CHECKING:
    from rich.table import Table

    from hotline.selfservice.records import Notice

outage_app = typer.Typer(no_args_is_help=True, help="outage notices (self-service outage query)")
accounts_app = typer.Typer(no_args_is_help=True, help="customer accounts (self-service bill query)")


@accounts_app.callback()
def _accounts() -> None:
    """Customer accounts for the bill query (a group, so that `accounts import FILE` stays a sub-command)."""


class Kind(StrEnum):
    planned = "planned"
    fault = "fault"


@outage_app.command("add")
def outage_add(
    area: str = typer.Option(..., "--area", help="area code (digits, as callers enter it)"),
    area_name: str = typer.Option(..., "--area-name", help="area name, e.g. 城关"),
    towns: str = typer.Option(..., "--towns", help="towns affected, comma-separated"),
    start: str = typer.Option(
        ..., "--start", help="'2026-11-30 08:00' local time (Asia/Shanghai) or with an offset"
    ),
    end: str = typer.Option(..., "--end", help="same format as --start; after the start"),
    reason: str = typer.Option(..., "--reason", help="e.g. 线路检修"),
    kind: Kind = typer.Option(Kind.planned, "--kind", help="planned outage or known fault"),
    config: Path = ConfigOption,
) -> None:
    """Publish an outage notice for an area."""
    import asyncio

    from hotline.selfservice.local_time import parse_local
    from hotline.selfservice.notices import NoticeError, add_notice, check_area_code, split_towns

    s = settings_or_exit(config)
    now = utcnow()
    try:  # everything that can be checked before touching the database
        starts_at, ends_at = parse_local(start, "--start"), parse_local(end, "--end")
        check_area_code(area)
        town_list = split_towns(towns)
        if not town_list:
            raise NoticeError(f"--towns {towns!r} names no town")
    except ValueError as exc:
        raise fail(str(exc)) from None
    try:
        notice = asyncio.run(
            with_engine(
                s.database.url,
                lambda engine: add_notice(
                    engine,
                    area_code=area,
                    area_name=area_name,
                    towns=town_list,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    reason=reason,
                    kind=kind.value,
                    now=now,
                ),
            )
        )
    except NoticeError as exc:
        raise fail(str(exc)) from None
    store_changed(s)  # a planned outage's notice calls (outbound.notify_planned_outages)
    _published(notice, now)


def _published(notice: Notice, now: datetime) -> None:
    """Say what was published; warn if a planned outage is published too late."""
    from hotline.selfservice.queries import HORIZON

    out.print(
        f"notice {notice.id} published: {notice.kind} outage in {notice.area_code} "
        f"{notice.area_name}, {_local(notice.starts_at)} to {_local(notice.ends_at)}",
        markup=False,
        highlight=False,
    )
    if notice.kind == "planned" and notice.starts_at < now + HORIZON:
        err.print(
            "warning: this planned outage starts in less than 7 days; planned outages "
            "are to be published at least 7 days ahead",
            markup=False,
            highlight=False,
        )


def _local(value: datetime) -> str:
    from hotline.selfservice.local_time import to_local

    return to_local(value).strftime("%Y-%m-%d %H:%M")


def _table(notices: list[Notice]) -> Table:
    from rich.table import Table

    table = Table(title="outage notices (local time)")
    for column in ("id", "kind", "area", "name", "towns", "start", "end", "reason"):
        table.add_column(column)
    for n in notices:
        table.add_row(
            str(n.id),
            n.kind + (" (cancelled)" if n.cancelled_at is not None else ""),
            n.area_code,
            n.area_name,
            "、".join(n.towns),
            _local(n.starts_at),
            _local(n.ends_at),
            n.reason,
        )
    return table


@outage_app.command("list")
def outage_list(
    area: str = typer.Option(None, "--area", help="only this area code"),
    show_all: bool = typer.Option(False, "--all", help="also the notices that have ended"),
    config: Path = ConfigOption,
) -> None:
    """Show the notices that have not ended yet (with --all: every notice, cancelled ones too)."""
    import asyncio

    from hotline.selfservice.notices import NoticeError, check_area_code
    from hotline.selfservice.queries import list_notices

    s = settings_or_exit(config)
    if area is not None:
        try:
            check_area_code(area)
        except NoticeError as exc:
            raise fail(str(exc)) from None
    now = None if show_all else utcnow()
    notices = asyncio.run(
        with_engine(
            s.database.url,
            lambda engine: list_notices(engine, area_code=area, now=now, include_cancelled=show_all),
        )
    )
    if not notices:
        out.print("no outage notices" + ("" if show_all else " in force or to come"), markup=False)
        return
    out.print(_table(notices))


@accounts_app.command("import")
def accounts_import(
    file: Path = typer.Argument(
        ...,
        help="CSV with the header account_number,area_code,masked_name,"
        "phone,balance,last_bill_amount,last_bill_month,last_usage_kwh",
    ),
    config: Path = ConfigOption,
) -> None:
    """Import (insert or update) accounts; a file with any bad row imports nothing."""
    import asyncio

    from hotline.selfservice.account_import import AccountImportError, import_accounts

    s = settings_or_exit(config)
    if not file.is_file():
        raise fail(f"{file}: no such file")
    now = utcnow()
    try:
        count = asyncio.run(
            with_engine(s.database.url, lambda engine: import_accounts(engine, file, now=now))
        )
    except AccountImportError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        err.print(f"{len(exc.errors)} error(s): nothing was imported", markup=False)
        raise typer.Exit(2) from None
    out.print(f"{count} account(s) imported", markup=False)
