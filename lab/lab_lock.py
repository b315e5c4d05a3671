"""One user of the lab at a time: its ports (SIP 5060, AMI 5038, FastAGI 4573) and chroot are one per machine.

A test session holds the lab lock from its first lab test to its end. `python -m lab up` and
`python -m lab down` by hand hold it only while they run: the Asterisk that `lab up` leaves
running does not hold it (the lock is not inherited), so `make run` never blocks a later test
session, which then takes the lab over. A second user fails at once, naming the holder.
The lock is `lab.lock` in the lab's run directory, next to Asterisk's pid file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hotline.daemon import file_lock
from hotline.daemon.file_lock import FileLock, LockHeld
from lab.errors import LabError
from lab.locations import run_dir

LOCK_NAME = "lab.lock"


class LabBusy(LabError):
    """Another process is using the lab."""


def lab_lock_path(run: Path | None = None) -> Path:
    return (run if run is not None else run_dir()) / LOCK_NAME


class LabLock:
    """One holder's share of the lab lock. A process that already holds it (pytest instantiates a
    session fixture once per module that imports it) shares it; the lock itself is given back
    when the last share is released."""

    def __init__(self, path: Path):
        self.path = path
        self.held = True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        lock, shares = _HELD[self.path]
        if shares > 1:
            _HELD[self.path] = (lock, shares - 1)
        else:
            del _HELD[self.path]
            lock.release()

    def __enter__(self) -> LabLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_HELD: dict[Path, tuple[FileLock, int]] = {}  # lock path -> (the lock, shares) held by this process


def take_lab(note: str, run: Path | None = None) -> LabLock:
    """Take the lab lock (release it, or use it in a `with` block), or raise LabBusy at once."""
    path = lab_lock_path(run).resolve()
    if path in _HELD:
        lock, shares = _HELD[path]
        _HELD[path] = (lock, shares + 1)
        return LabLock(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        _HELD[path] = (file_lock.take(path, note), 1)
    except LockHeld as exc:
        raise LabBusy(
            f"the lab is in use by {exc.holder.describe()}; wait for it to finish, or stop that process"
        ) from None
    return LabLock(path)


def session_note() -> str:
    """How a pytest session names itself in the lock (shown to a second run)."""
    return "test session: pytest " + " ".join(sys.argv[1:])
