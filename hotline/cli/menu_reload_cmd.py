"""`hotline menu reload`: check the menu file, then tell the running daemon to swap it in."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import typer

from hotline.cli.common import ConfigOption, err, out, settings_or_exit


def reload(config: Path = ConfigOption) -> None:
    """Validate the menu; if it is valid, SIGHUP the daemon (calls in progress keep their menu)."""
    from ivr.errors import MenuError
    from ivr.menu_load import load_menu
    from prompts.catalog import load_catalog

    s = settings_or_exit(config)
    menu_file = Path(s.menu_file)
    try:
        menu = load_menu(
            menu_file, known_prompts=set(load_catalog(company=s.company)), categories=s.categories.keys
        )
    except MenuError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        err.print(f"{len(exc.errors)} error(s): the running menu is unchanged", markup=False)
        raise typer.Exit(2) from None
    pid = _daemon_pid(Path(s.pid_file))
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError:
        err.print(f"no daemon running (pid {pid} has just exited)", markup=False)
        raise typer.Exit(1) from None
    out.print(f"menu {menu.version} from {menu_file} sent to the daemon (pid {pid})", markup=False)


def _daemon_pid(pid_file: Path) -> int:
    """The pid of the daemon holding the config's lock; never a pid read from a stale pid file."""
    from hotline.daemon.lock import lock_path, running_daemon

    lock = lock_path(pid_file)
    try:
        holder = running_daemon(pid_file)
    except OSError as exc:
        err.print(f"cannot check {lock}: {exc.strerror or exc}", markup=False)
        raise typer.Exit(1) from None
    if holder is None:
        err.print(f"no daemon running (no process holds {lock})", markup=False)
        raise typer.Exit(1)
    if holder.pid is None:
        err.print(
            f"the daemon holding {lock} is starting and has not written its pid yet; try again", markup=False
        )
        raise typer.Exit(1)
    return holder.pid
