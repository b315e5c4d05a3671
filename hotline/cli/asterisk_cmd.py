"""`hotline asterisk render DIR`."""

from __future__ import annotations

from pathlib import Path

import typer

from hotline.cli.common import ConfigOption, err, out
from hotline.cli.secret_check import strong_settings_or_exit

# config_render's DEFAULT_MODULES_DIR, written again: that module (Jinja, the settings) is imported
# only when the command runs (tests/unit/test_cli_start.py checks that the two are the same)
DEFAULT_MODULES_DIR = "/usr/lib/x86_64-linux-gnu/asterisk/modules"

app = typer.Typer(no_args_is_help=True, help="Asterisk configuration")


@app.command("render")
def render_cmd(
    out_dir: Path = typer.Argument(..., help="directory to write the .conf files into"),
    config: Path = ConfigOption,
    etc_dir: str = typer.Option("/etc/asterisk", help="where Asterisk will read the files"),
    modules_dir: str = typer.Option(DEFAULT_MODULES_DIR),
    sip_bind: str = typer.Option("0.0.0.0:5060", help="PJSIP UDP transport address"),
    media_address: str = typer.Option(None, help="bind RTP to this address (lab: 127.0.0.1)"),
    with_dahdi: bool = typer.Option(False, help="also write chan_dahdi.conf when trunks.kind is pjsip"),
) -> None:
    """Write pjsip, manager, modules, musiconhold, extensions (from dialplan/)... into OUT_DIR (mode 0640)."""
    from hotline.asterisk.config_render import RenderError, RenderOptions, render, render_dahdi, write

    s = strong_settings_or_exit(config)  # weak secrets never reach pjsip.conf outside a lab
    opts = RenderOptions(
        etc_dir=etc_dir, modules_dir=modules_dir, sip_bind=sip_bind, media_address=media_address
    )
    try:
        files = render(s, opts)
        if with_dahdi:
            files["chan_dahdi.conf"] = render_dahdi(s)
        written = write(files, out_dir)
    except RenderError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(2) from None
    except OSError as exc:
        err.print(f"{out_dir}: cannot write the Asterisk config: {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    for p in written:
        out.print(str(p), markup=False)
