"""`hotline report --day D | --month M | --year Y [--format text|html|csv|json] [-o FILE]`.

Reads the call store named in the config (database.url) without changing it; the answer target
of the service level is the config's (answer_target: 4 rings x 3 s = 12 s). CSV/JSON keys are
documented in hotline/reports/export.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from hotline.cli.common import ConfigOption, err, fail, io_failure, out, settings_or_exit, write_atomically
from hotline.clock import utcnow

if TYPE_CHECKING:
    from hotline.reports.figures import Thresholds
    from hotline.reports.period import Period
    from hotline.reports.report import Report
    from hotline.settings import Settings

# hotline.reports.period's DEFAULT_TZ, written again: that module (and the store it imports) is
# loaded only when a report runs (tests/unit/test_cli_start.py checks that the two are the same)
DEFAULT_TZ = "Asia/Shanghai"


class Format(StrEnum):
    text = "text"
    html = "html"
    csv = "csv"
    json = "json"


def _check_store_exists(url: str) -> None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if (
        u.drivername.startswith("sqlite")
        and u.database
        and u.database != ":memory:"
        and not u.database.startswith("file:")
        and not Path(u.database).is_file()
    ):
        raise fail(
            f"no call store at {u.database} (database.url in the config); "
            "the daemon creates it, or run `hotline db upgrade`"
        )


async def _build(s: Settings, period: Period, thresholds: Thresholds, goal: float, wrap_up: float) -> Report:
    from hotline.reports.report import build_report
    from hotline.store.db import make_engine

    engine = make_engine(s.database.url)
    try:
        return await build_report(
            engine,
            period,
            company=s.company,
            thresholds=thresholds,
            agents=[(a.id, a.name or None) for a in s.agents],
            goal=goal,
            wrap_up_s=wrap_up,
            now=utcnow(),
            categories=s.categories,
        )  # a period not over yet counts up to now
    finally:
        await engine.dispose()


def report(
    day: str = typer.Option(None, "--day", help="one local day, e.g. 2026-11-23"),
    month: str = typer.Option(None, "--month", help="one month, e.g. 2026-11"),
    year: str = typer.Option(None, "--year", help="one year, e.g. 2026"),
    fmt: Format = typer.Option(
        Format.text,
        "--format",
        "-f",
        help="text (terminal tables), html (one "
        "self-contained page with charts), csv or json (for other tools)",
    ),
    output: Path = typer.Option(None, "--output", "-o", help="write to FILE instead of standard output"),
    tz: str = typer.Option(DEFAULT_TZ, "--tz", help="time zone of the center's days and hours"),
    goal: float = typer.Option(
        0.8, "--goal", help="staffing advice: share answered within the answer target, e.g. 0.8"
    ),
    wrap_up: float = typer.Option(
        None,
        "--wrap-up",
        help="staffing advice: seconds of after-call work "
        "added to the measured talk time (default: the config's acd.wrap_up_seconds)",
    ),
    config: Path = ConfigOption,
) -> None:
    """Call statistics of a day, month or year: 接通率, service level, IVR use, agents, staffing."""
    from hotline.reports.figures import Thresholds
    from hotline.reports.period import parse_period, zone

    s = settings_or_exit(config)
    if wrap_up is None:
        wrap_up = s.acd.wrap_up_seconds
    try:
        period = parse_period(day=day, month=month, year=year, tz=zone(tz))
        if not 0 < goal < 1:
            raise ValueError(f"--goal {goal:g} must be a share strictly between 0 and 1, e.g. 0.8")
        if not (math.isfinite(wrap_up) and wrap_up >= 0):
            raise ValueError(f"--wrap-up {wrap_up:g} must be a number of seconds >= 0")
        thresholds = Thresholds(answer_target_s=s.answer_target.seconds)
    except ValueError as exc:
        raise fail(str(exc)) from None
    _output(_read(s, period, thresholds, goal, wrap_up), fmt, output)


def _read(s: Settings, period: Period, thresholds: Thresholds, goal: float, wrap_up: float) -> Report:
    """The report from the call store; a store that is missing or unusable is a one-line error."""
    import asyncio

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    _check_store_exists(s.database.url)
    try:
        return asyncio.run(_build(s, period, thresholds, goal, wrap_up))
    except (SQLAlchemyError, OSError) as exc:
        where = make_url(s.database.url).render_as_string(hide_password=True)
        raise io_failure(f"read the call store {where}", exc) from None


def _render(fmt: Format) -> Callable[[Report], str]:
    """The renderer of a format other than text, imported only for that format."""
    if fmt is Format.html:
        from hotline.reports.html import render_html

        return render_html
    from hotline.reports.export import to_csv, to_json

    return to_csv if fmt is Format.csv else to_json


def _output(result: Report, fmt: Format, output: Path | None) -> None:
    """The report on standard output, or written whole to `output` (or not at all: exit 1)."""
    if output is None:
        if fmt is Format.text:
            from hotline.reports.text import print_report

            print_report(result, out)
        else:
            typer.echo(_render(fmt)(result), nl=False)
        return
    try:
        write_atomically(output, lambda f: _write(result, fmt, f))
    except OSError as exc:
        raise io_failure(f"write {output}", exc) from None
    err.print(f"wrote {output}", markup=False, highlight=False)


def _write(result: Report, fmt: Format, f: TextIO) -> None:
    if fmt is Format.text:
        from rich.console import Console

        from hotline.reports.text import print_report

        print_report(result, Console(file=f, width=200, color_system=None, soft_wrap=True))
    else:
        f.write(_render(fmt)(result))


def rollup(
    rebuild: bool = typer.Option(
        False, "--rebuild", help="recompute every day (or --from..--to), not only those that changed"
    ),
    first: str = typer.Option(None, "--from", help="with --rebuild: first local day, e.g. 2026-01-01"),
    last: str = typer.Option(None, "--to", help="with --rebuild: last local day, e.g. 2026-12-31"),
    tz: str = typer.Option(DEFAULT_TZ, "--tz", help="time zone of --from and --to"),
    config: Path = ConfigOption,
) -> None:
    """Bring the report rollup up to date (the daemon does it every minute): month and year
    reports read whole days from it; day reports always read the calls."""
    from hotline.cli.report_rollup import run_rollup  # the rollup's imports only for this command

    s = settings_or_exit(config)
    _check_store_exists(s.database.url)
    run_rollup(s, rebuild=rebuild, first=first, last=last, tz=tz)
