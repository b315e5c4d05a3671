"""An exclusive lock held on a file (flock) for as long as a process needs it; the file names its holder.

The kernel releases an flock when the descriptor is closed, so also when its holder dies in any way
(even SIGKILL): a lock is never stale. The holder writes its pid and a note into the file, for the
messages of whoever finds it locked; both are cleared on release. The lock file itself is never
deleted: a process could lock a deleted file while another creates and locks a new one of the same
name. The descriptor is not inherited, so a child started while the lock is held never keeps it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SETTLE_POLL_S = 0.01


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: pid None = not written yet (it has just taken it, or a `holder()` probe)."""

    pid: int | None
    note: str = ""

    def describe(self) -> str:
        if self.pid is None:
            return "a process that has not written its pid yet"
        return f"pid {self.pid} ({self.note})" if self.note else f"pid {self.pid}"


class LockHeld(Exception):
    """The lock is held by another process (or another open of the file)."""

    def __init__(self, path: Path, holder: Holder):
        self.path, self.holder = path, holder
        super().__init__(f"{path} is held by {holder.describe()}")


class FileLock:
    """A held lock: `release()` or the end of a `with` block gives it back."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)  # no pid left behind for the messages of the next one
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def take(
    path: Path, note: str = "", *, settle_s: float = 1.0, sleep: Callable[[float], None] = time.sleep
) -> FileLock:
    """Take the lock at `path` (the file is created, not its folder), or raise LockHeld at once.

    Only a holder whose pid is not known is waited for, up to `settle_s` seconds: it has just taken
    the lock and is writing its pid, or it is a `holder()` probe that keeps it for an instant.
    """
    waited = 0.0
    while True:
        try:
            return _take_now(path, note)
        except LockHeld as exc:
            if exc.holder.pid is not None or waited >= settle_s:
                raise
        sleep(SETTLE_POLL_S)
        waited += SETTLE_POLL_S


def holder(path: Path) -> Holder | None:
    """Who holds the lock at `path` now; None if nobody does (or the file does not exist)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:  # a shared lock: two probes do not trouble each other
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        return None  # nobody holds it; ours goes with the descriptor
    finally:
        os.close(fd)


def _take_now(path: Path, note: str) -> FileLock:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    done = False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(path, _read_holder(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{note}\n".encode(), 0)
        done = True
    finally:
        if not done:
            os.close(fd)
    return FileLock(path, fd)


def _read_holder(fd: int) -> Holder:
    lines = os.pread(fd, 4096, 0).decode("utf-8", "replace").splitlines()
    pid = int(lines[0]) if lines and lines[0].isdigit() else 0
    if pid <= 0 or not _alive(pid):  # left by a holder that died; the new one has not written yet
        return Holder(None)
    return Holder(pid, lines[1].strip() if len(lines) > 1 else "")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True
