"""`hotline run`: the daemon in the foreground, one per config (see daemon_lock)."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hotline.cli.common import ConfigOption, fail
from hotline.cli.secret_check import strong_settings_or_exit

if TYPE_CHECKING:
    import asyncio

    from hotline.daemon.lock import DaemonLock
    from hotline.daemon.wiring import Running


def run(
    config: Path = ConfigOption,
    log_level: str = typer.Option("INFO", help="DEBUG, INFO, WARNING, ERROR"),
    json_logs: bool = typer.Option(None, "--json/--console", help="default: JSON unless on a terminal"),
) -> None:
    """Run the FastAGI + AMI daemon until SIGTERM/SIGINT (a config with weak secrets is refused
    before anything starts, unless it says `lab: true`)."""
    import asyncio

    from hotline.daemon.event_loop import loop_factory
    from hotline.daemon.wiring import run_daemon
    from hotline.observability.logs import setup_logging

    settings = strong_settings_or_exit(config)
    setup_logging(log_level, json=json_logs)
    # The pid is known as soon as the lock is taken; a `menu reload` before the daemon installs its
    # own SIGHUP handler must not kill it (the menu file is read after this point anyway).
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    async def main() -> None:
        # held inside the event loop: its SIGHUP/SIGTERM handlers outlive the lock, not the reverse
        with _lock_or_exit(Path(settings.pid_file)):
            started: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
            started.add_done_callback(_freeze_heap)
            await run_daemon(settings, asyncio.Event(), signals=True, started=started)

    try:
        with asyncio.Runner(loop_factory=loop_factory(settings.event_loop)) as runner:
            runner.run(main())
    except OSError as exc:  # an unwritable store, a state directory that cannot be made...
        raise fail(f"the daemon stopped: {exc}", code=1) from None
    except ExceptionGroup as group:  # from the daemon's TaskGroup: a port taken by another program
        os_errors, others = group.split(OSError)
        if os_errors is None or others is not None:
            raise
        raise fail(f"the daemon stopped: {_first(os_errors)}", code=1) from None


def _freeze_heap(started: asyncio.Future[Running]) -> None:
    """Once the daemon serves, what start built leaves the garbage collector's passes (heap.py)."""
    if started.cancelled() or started.exception() is not None:
        return
    import structlog

    from hotline.daemon.heap import freeze_startup_heap

    structlog.get_logger("daemon").info("daemon.heap_frozen", objects=freeze_startup_heap())


def _first(group: BaseExceptionGroup) -> BaseException:
    """The first exception in a (nested) group."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


def _lock_or_exit(pid_file: Path) -> DaemonLock:
    from hotline.daemon.lock import DaemonLock, DaemonRunning, lock_path

    try:
        return DaemonLock.take(pid_file)
    except DaemonRunning as exc:
        raise fail(f"{exc}; nothing was changed", code=1) from None
    except OSError as exc:
        raise fail(
            f"cannot lock {lock_path(pid_file)} (pid_file in the config): {exc.strerror or exc}"
        ) from None
