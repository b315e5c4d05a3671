"""`hotline service unit`: the systemd unit for `hotline run` (deploy/hotline.service.j2) with this
config's paths and timings: Type=notify, WatchdogSec=`liveness.watchdog_seconds`, Restart=always,
TimeoutStopSec longer than the drain grace."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TextIO

import typer

from hotline.cli.common import ConfigOption, config_path, fail, settings_or_exit, write_atomically
from hotline.cli.supervise_cmd import STOP_MARGIN_S

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "hotline.service.j2"
# what a unit file takes unquoted: no whitespace, quotes, %-specifiers, $ or control characters
_UNIT_SAFE = re.compile(r"[A-Za-z0-9_./+\-@:]+")

app = typer.Typer(no_args_is_help=True, help="The systemd unit that runs the daemon")


@app.command("unit")
def unit(
    config: Path = ConfigOption,
    output: Path = typer.Option(None, "--output", "-o", help="write here (default: print)"),
    user: str = typer.Option(None, help="run as this user (User=)"),
) -> None:
    """Print (or write) the systemd unit for this config."""
    import jinja2

    settings = settings_or_exit(config)
    config_file = config_path(config).resolve()
    values = {
        "python": sys.executable,
        "config": str(config_file),
        "workdir": str(Path.cwd()),
        "user": user,
    }
    for name, value in values.items():
        if value is not None and not _UNIT_SAFE.fullmatch(value):
            raise fail(f"{name} {value!r} cannot be written in a unit file (spaces, quotes, % or $)")
    template = jinja2.Template(
        TEMPLATE.read_text(encoding="utf-8"), trim_blocks=True, keep_trailing_newline=True
    )
    text = template.render(
        **values,
        watchdog_seconds=_seconds(settings.liveness.watchdog_seconds),
        restart_seconds=_seconds(settings.liveness.restart_seconds),
        grace_seconds=_seconds(settings.shutdown_grace_seconds),
        stop_seconds=_seconds(settings.shutdown_grace_seconds + STOP_MARGIN_S),
    )
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        write_atomically(output, lambda f: _write(f, text))
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}", code=1) from None
    typer.echo(f"wrote {output}; now: systemctl daemon-reload && systemctl enable --now hotline")


def _write(f: TextIO, text: str) -> None:
    f.write(text)


def _seconds(value: float) -> str:
    return f"{value:g}"
