"""`hotline orders list|show|answer|close`: the work orders (工单) in the store.

Closing stores the order's follow-up call (回访) like `hotline outbound done`, and tells the
running daemon to read it (hotline.cli.tell_daemon). Changes are made as `cli:<login name>`.
Bad input (not an order number, no such order, a closed order, an empty answer) is a one-line
error, exit 2.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from hotline.cli.common import ConfigOption, fail, out, settings_or_exit, with_engine
from hotline.cli.tell_daemon import store_changed
from hotline.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hotline.orders import HistoryEntry, OrderDetail, WorkOrder
    from hotline.settings import Settings

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, help="work orders: fault repairs, complaints, reports")


class Status(StrEnum):
    active = "active"
    open = "open"
    answered = "answered"
    closed = "closed"
    all = "all"


class Kind(StrEnum):
    repair = "repair"
    complaint = "complaint"
    report = "report"


class Format(StrEnum):
    text = "text"
    json = "json"


def _run(s: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    import asyncio

    from hotline.orders import OrderError

    try:
        return asyncio.run(with_engine(s.database.url, work))
    except OrderError as exc:
        raise fail(str(exc)) from None


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in the environment or the passwd file
        return "cli:?"


def _plain(record: WorkOrder | HistoryEntry) -> dict[str, Any]:
    """A record for JSON output: times as ISO 8601 (UTC)."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(record).items()}


def _table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # the callers' text is never rich markup
    out.print(table)


@app.command("list")
def list_cmd(
    status: Status = typer.Option(Status.active, "--status", help="active = open or answered"),
    kind: Kind = typer.Option(None, "--kind"),
    overdue: bool = typer.Option(False, "--overdue", help="only orders past a due date"),
    caller: str = typer.Option(None, "--caller", help="the open orders of this phone (any form)"),
    limit: int = typer.Option(200, "--limit", min=1, max=1000),
    fmt: Format = typer.Option(Format.text, "--format"),
    config: Path = ConfigOption,
) -> None:
    """Orders, newest first (default: not closed); due times in local time."""
    from hotline.orders import OrderFilter, list_orders, open_orders_of_caller
    from hotline.orders.display import order_view
    from hotline.phone_number import PhoneNumberError, normalise

    s = settings_or_exit(config)
    now = utcnow()
    which = OrderFilter(status=status.value, kind=kind.value if kind else None, overdue=overdue, limit=limit)
    if caller is not None:
        try:
            normalise(caller, "--caller")
        except PhoneNumberError as exc:
            raise fail(str(exc)) from None
        orders = _run(s, lambda e: open_orders_of_caller(e, caller))
    else:
        orders = _run(s, lambda e: list_orders(e, now, which))
    if fmt is Format.json:
        out.print_json(json.dumps([_plain(o) for o in orders], ensure_ascii=False))
        return
    rows = []
    for o in orders:
        v = order_view(o, now)
        due = v["answer_due"] and f"答复 {v['answer_due']} / 办结 {v['settle_due']}"
        rows.append([o.number, v["kind_label"], v["status_label"], v["created"], v["caller"], v["summary"]])
        rows[-1] += [due or "", "超期" if v["overdue"] else ""]
    columns = ["工单号", "类型", "状态", "受理时间", "来电", "内容", "期限", "超期"]
    _table(f"{len(rows)} 张工单", columns, rows)


def _show_detail(found: OrderDetail) -> None:
    from hotline.orders.display import history_view, order_view
    from hotline.orders.records import KIND_LABELS, STATUS_LABELS

    v = order_view(found.order, utcnow())
    fields = [
        ("类型", f"{KIND_LABELS[found.order.kind]} {v['fault']}".strip()),
        ("状态", STATUS_LABELS[found.order.status] + (" (超期)" if v["overdue"] else "")),
        ("受理", f"{v['created']} {v['created_by']}"),
        ("来电 / 户号", f"{v['caller'] or '-'} / {v['account'] or '-'}"),
        ("地区 / 地址", f"{v['area']} {v['address']}".strip()),
        ("内容", v["description"]),
        ("期限", v["answer_due"] and f"答复 {v['answer_due']}，办结 {v['settle_due']}"),
        ("下发调度", v["published"] if found.order.kind == "repair" else ""),
        ("办结", f"{v['closed']} {v['closed_by']}".strip()),
        ("回访任务", v["followup_job"]),
    ]
    _table(f"工单 {found.order.number}", ["", ""], [[k, val] for k, val in fields if val])
    steps = [history_view(e) for e in found.history]
    _table(
        "处理记录",
        ["时间", "操作人", "操作", "说明"],
        [[h["at"], h["actor"], h["action"], h["detail"]] for h in steps],
    )


@app.command("show")
def show(
    number: str = typer.Argument(..., help="e.g. GD202611260001"),
    fmt: Format = typer.Option(Format.text, "--format"),
    config: Path = ConfigOption,
) -> None:
    """One order with its history."""
    from hotline.orders import order_detail

    s = settings_or_exit(config)
    found = _run(s, lambda e: order_detail(e, number))
    if fmt is Format.json:
        doc = {"order": _plain(found.order), "history": [_plain(h) for h in found.history]}
        out.print_json(json.dumps(doc, ensure_ascii=False))
        return
    _show_detail(found)


@app.command("answer")
def answer(
    number: str = typer.Argument(...),
    note: str = typer.Option(..., "--note", help="the answer given to the customer"),
    config: Path = ConfigOption,
) -> None:
    """A complaint or report is answered."""
    from hotline.orders import answer_order

    s = settings_or_exit(config)
    order = _run(s, lambda e: answer_order(e, number, _actor(), note, utcnow()))
    out.print(f"order {order.number} answered", markup=False)


@app.command("close")
def close(
    number: str = typer.Argument(...),
    note: str = typer.Option("", "--note", help="what was done"),
    config: Path = ConfigOption,
) -> None:
    """Close an order and store its follow-up call (the daemon places it)."""
    from hotline.orders import close_order, order_detail, stored_scheduler

    s = settings_or_exit(config)
    now = utcnow()

    async def work(engine: AsyncEngine) -> OrderDetail:
        await close_order(engine, number, _actor(), note, now, stored_scheduler(engine, s, now))
        return await order_detail(engine, number)

    found = _run(s, work)
    job = found.order.followup_job_id
    if job:
        store_changed(s)
    followup = (
        f"follow-up job {job}" if job else f"no follow-up: {found.history[-1].detail['followup_refused']}"
    )
    out.print(f"order {found.order.number} closed; {followup}", markup=False)
