"""`hotline outbound status|done|notify|cancel|dnc`: the dialer's jobs, from the store.

Jobs added here are stored, and the running daemon is told to read them at once (SIGUSR1,
hotline.cli.tell_daemon); without that, within `outbound.poll_seconds`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
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

    from hotline.dialer.jobs import DialRefused

T = TypeVar("T")
app = typer.Typer(no_args_is_help=True, help="outbound calls: follow-ups, outage notices, callbacks")
dnc_app = typer.Typer(no_args_is_help=True, help="the do-not-call list")
app.add_typer(dnc_app, name="dnc")


class Kind(StrEnum):
    repair = "repair"
    complaint = "complaint"
    new_connection = "new_connection"


class Format(StrEnum):
    text = "text"
    json = "json"


def _run(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    import asyncio

    return asyncio.run(with_engine(url, work))


def _local(value: datetime | None) -> str:
    from hotline.selfservice.local_time import to_local

    return to_local(value).strftime("%Y-%m-%d %H:%M") if value is not None else "-"


@app.command("done")
def done(
    order: str = typer.Option(..., "--order", help="work order number"),
    kind: Kind = typer.Option(..., "--kind", help="the service that was completed"),
    number: str = typer.Option(..., "--number", help="the customer's phone"),
    at: str = typer.Option(None, "--at", help="completed at, '2026-11-20 19:30' local; default now"),
    config: Path = ConfigOption,
) -> None:
    """A fault repair, complaint or new connection is done: schedule its follow-up call."""
    from hotline.dialer import store
    from hotline.dialer.jobs import FOLLOWUP_KINDS, followup_job
    from hotline.selfservice.local_time import parse_local

    s = settings_or_exit(config)
    now = utcnow()
    try:
        completed = parse_local(at, "--at") if at else now
        job = followup_job(s, order=order, kind=kind.value, number=number, completed_at=completed, now=now)
    except ValueError as exc:
        raise fail(str(exc)) from None
    inserted = _run(s.database.url, lambda e: store.insert_jobs(e, [job]))
    if not inserted:
        out.print(f"order {order} already has a follow-up job; nothing new", markup=False)
        return
    store_changed(s)
    out.print(
        f"follow-up {job.id} for order {order} ({FOLLOWUP_KINDS[kind.value]}): first call "
        f"from {_local(job.not_before)}, last by {_local(job.deadline)}",
        markup=False,
    )


@app.command("notify")
def notify(
    notice_id: int = typer.Argument(..., help="the planned outage notice (hotline outage list)"),
    config: Path = ConfigOption,
) -> None:
    """Call every account of a planned outage's area (key accounts first)."""
    from hotline.dialer import store
    from hotline.dialer.jobs import JobRequestError, notice_jobs

    s = settings_or_exit(config)
    now = utcnow()

    refused: list[DialRefused] = []

    async def work(engine: AsyncEngine) -> tuple[list[store.NewJob], list[str]]:
        notice = await store.notice_by_id(engine, notice_id)
        if notice is None:
            raise JobRequestError(f"there is no notice {notice_id}")
        if notice.kind != "planned" or notice.starts_at <= now or notice.cancelled_at is not None:
            raise JobRequestError(f"notice {notice_id} is not a planned outage still to come")
        jobs = await notice_jobs(engine, s, notice, now, refused.append)
        return jobs, await store.insert_jobs(engine, jobs)

    try:
        jobs, inserted = _run(s.database.url, work)
    except JobRequestError as exc:
        raise fail(str(exc)) from None
    if inserted:
        store_changed(s)
    for refusal in refused:
        out.print(f"not called: {refusal}", markup=False)
    out.print(
        f"notice {notice_id}: {len(jobs)} phones in the area, {len(inserted)} new calls scheduled",
        markup=False,
    )


@app.command("cancel")
def cancel(
    job_id: str = typer.Argument(...),
    reason: str = typer.Option("cancelled by operator", "--reason"),
    config: Path = ConfigOption,
) -> None:
    """Cancel a pending job (a call in progress finishes first)."""
    from hotline.dialer import store

    s = settings_or_exit(config)
    if not _run(s.database.url, lambda e: store.cancel_job(e, job_id, reason, utcnow())):
        raise fail(f"there is no pending job {job_id}")
    store_changed(s)
    out.print(f"job {job_id} cancelled", markup=False)


@app.command("status")
def status(
    finished: int = typer.Option(20, "--finished", min=0, help="finished jobs shown"),
    job: str = typer.Option(None, "--job", help="one job with every attempt"),
    fmt: Format = typer.Option(Format.text, "--format"),
    config: Path = ConfigOption,
) -> None:
    """Pending, in progress and recently finished jobs (or one job's attempts)."""
    from hotline.dialer import store
    from hotline.dialer.jobs import PURPOSE_NAMES

    s = settings_or_exit(config)
    if job:
        _show_attempts(s.database.url, job, fmt)
        return
    jobs = _run(s.database.url, lambda e: store.jobs_for_status(e, finished_limit=finished))
    rows = [
        dict(
            id=j.id,
            purpose=PURPOSE_NAMES[j.purpose],
            number=j.number,
            status=j.status,
            attempts=f"{j.attempts}/{j.max_attempts}",
            next=_local(j.next_at),
            deadline=_local(j.deadline),
            result=j.reason or "",
            key=j.key or "",
        )
        for j in jobs
    ]
    counts = {st: sum(1 for j in jobs if j.status == st) for st in store.OPEN}
    _show(
        rows,
        fmt,
        f"{counts['pending']} pending, {counts['in_progress']} in progress, "
        f"{len(rows) - sum(counts.values())} finished shown",
    )


def _show_attempts(url: str, job: str, fmt: Format) -> None:
    from hotline.dialer import store

    attempts = _run(url, lambda e: store.attempts_of(e, job))
    rows = [
        dict(
            attempt=a.attempt,
            number=a.number,
            content=a.content,
            started=_local(a.started_at),
            answered=_local(a.answered_at),
            ended=_local(a.ended_at),
            result=a.result or "in progress",
            reason=a.failure_reason or "",
            key=a.key or "",
        )
        for a in attempts
    ]
    _show(rows, fmt, f"job {job}: {len(rows)} attempts")


def _show(rows: list[dict[str, Any]], fmt: Format, title: str) -> None:
    from rich.table import Table

    if fmt is Format.json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=title)
    for col in rows[0] if rows else {"-": ""}:
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(v) for v in r.values()))
    out.print(table)


def _dnc_number(number: str) -> str:
    from hotline.phone_number import PhoneNumberError, normalise

    try:
        return normalise(number, "number")
    except PhoneNumberError as exc:
        raise fail(str(exc)) from None


@dnc_app.command("add")
def dnc_add(
    number: str, reason: str = typer.Option("customer's request", "--reason"), config: Path = ConfigOption
) -> None:
    """Never call this number again (pending jobs for it end as `dnc`)."""
    from hotline.dialer import store

    s = settings_or_exit(config)
    digits = _dnc_number(number)
    _run(s.database.url, lambda e: store.dnc_add(e, digits, reason, utcnow()))
    store_changed(s)
    out.print(f"{digits} is on the do-not-call list", markup=False)


@dnc_app.command("remove")
def dnc_remove(number: str, config: Path = ConfigOption) -> None:
    from hotline.dialer import store

    s = settings_or_exit(config)
    digits = _dnc_number(number)
    if not _run(s.database.url, lambda e: store.dnc_remove(e, digits)):
        raise fail(f"{digits} is not on the do-not-call list")
    store_changed(s)
    out.print(f"{digits} removed from the do-not-call list", markup=False)


@dnc_app.command("list")
def dnc_list(config: Path = ConfigOption) -> None:
    from hotline.dialer import store

    s = settings_or_exit(config)
    for n in sorted(_run(s.database.url, store.dnc_numbers)):
        out.print(n, markup=False)
