"""Telling the running daemon that a command changed what its dialer reads from the store (jobs,
the do-not-call list, outage notices): SIGUSR1, and the daemon reads them at once instead of at
its next poll (`outbound.poll_seconds`, the fallback for writers it is not told of, such as a
command run on another machine against the same PostgreSQL).

Best effort, after the change is committed: with no daemon running, the change is read at its
start; a daemon that cannot be signalled (another user's) reads it at its next poll, and the
command says so. The command's own work is done either way.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from hotline.cli.common import err

if TYPE_CHECKING:
    from hotline.settings import Settings


def store_changed(settings: Settings) -> None:
    """SIGUSR1 to the daemon holding this config's lock, if one runs here."""
    from hotline.daemon.lock import running_daemon

    try:
        holder = running_daemon(Path(settings.pid_file))
    except OSError:
        holder = None  # no readable lock: no daemon of this config runs here
    if holder is None or holder.pid is None:
        return  # none running (it reads the store at its start), or just starting (it is loading it)
    try:
        os.kill(holder.pid, signal.SIGUSR1)
    except ProcessLookupError:
        return  # it has just exited
    except PermissionError:
        poll = settings.outbound.poll_seconds
        err.print(
            f"note: cannot signal the daemon (pid {holder.pid}); it reads the change within {poll:g} s",
            markup=False,
        )
