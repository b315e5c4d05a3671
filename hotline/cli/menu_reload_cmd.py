"""`hotline menu reload`: check the menu file, then tell the running daemon to swap it in."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import typer

from ivr.errors import MenuError
from ivr.menu_load import load_menu
from prompts.catalog import load_catalog

from .common import ConfigOption, err, out, settings_or_exit


def reload(config: Path = ConfigOption) -> None:
    """Validate the menu; if it is valid, SIGHUP the daemon (calls in progress keep their menu)."""
    s = settings_or_exit(config)
    menu_file = Path(s.menu_file)
    try:
        menu = load_menu(menu_file, known_prompts=set(load_catalog(company=s.company)))
    except MenuError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        err.print(f"{len(exc.errors)} error(s): the running menu is unchanged", markup=False)
        raise typer.Exit(2) from None
    pid_file = Path(s.pid_file)
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGHUP)
    except FileNotFoundError:
        err.print(f"no daemon running ({pid_file} does not exist)", markup=False)
        raise typer.Exit(1) from None
    except (ValueError, ProcessLookupError) as exc:
        err.print(f"{pid_file} names no running daemon ({exc})", markup=False)
        raise typer.Exit(1) from None
    out.print(f"menu {menu.version} from {menu_file} sent to the daemon (pid {pid})", markup=False)
