"""`hotline peak on|off|status`: peak mode by hand (seed 000 §36)."""

from __future__ import annotations

from pathlib import Path

import typer

from hotline.cli.common import ConfigOption, io_failure, out, settings_or_exit

app = typer.Typer(no_args_is_help=True, help="peak mode: the outage notice before the menu")


def _switch(config: Path | None, on: bool) -> None:
    from hotline.services.peak_mode import switch

    flag = Path(settings_or_exit(config).peak.flag_file)
    try:
        switch(flag, on)
    except OSError as exc:
        raise io_failure(f"{'create' if on else 'remove'} the peak flag file {flag}", exc) from None


@app.command("on")
def on(config: Path = ConfigOption) -> None:
    """Every new call hears the outage notice first; the supervisor alert goes out."""
    _switch(config, True)
    out.print("peak mode on (by hand)", markup=False)


@app.command("off")
def off(config: Path = ConfigOption) -> None:
    """Back to normal (automatic peak mode still follows wide outage notices)."""
    _switch(config, False)
    out.print("peak mode off (by hand)", markup=False)


@app.command("status")
def status(config: Path = ConfigOption) -> None:
    s = settings_or_exit(config)
    on_by_hand = Path(s.peak.flag_file).exists()
    out.print(
        f"by hand: {'on' if on_by_hand else 'off'}; automatic when an outage in force covers "
        f">= {s.peak.auto_towns} towns",
        markup=False,
    )
