"""One daemon per config: `hotline run` holds a lock next to its pid file for its whole life.

The lock is `<pid_file>.lock` (var/hotline.pid.lock by default), not the pid file itself: the pid
file is removed when the daemon stops, and a removed file cannot serve as a lock (see file_lock).
The daemon takes the lock before it touches the store or the pid file, so a second one fails
having changed nothing. Only the holder writes and removes the pid file, and `hotline menu reload`
signals only the process that holds the lock, never a pid read from a file left by a dead daemon.
"""

from __future__ import annotations

import os
from pathlib import Path

from hotline.daemon import file_lock
from hotline.daemon.file_lock import FileLock, LockHeld

NOTE = "hotline run"


class DaemonRunning(Exception):
    """Another daemon holds this config's lock."""

    def __init__(self, lock: Path, holder: file_lock.Holder):
        self.lock, self.holder = lock, holder
        super().__init__(
            f"a hotline daemon is already running with this config: {lock} is held by {holder.describe()}"
        )


def lock_path(pid_file: Path) -> Path:
    return pid_file.with_name(pid_file.name + ".lock")


class DaemonLock:
    """Held by the running daemon; on release the pid file goes first, then the lock."""

    def __init__(self, pid_file: Path, lock: FileLock):
        self.pid_file, self._lock = pid_file, lock

    @classmethod
    def take(cls, pid_file: Path) -> DaemonLock:
        """Take the lock and write the pid file, or raise DaemonRunning having changed nothing."""
        pid_file.parent.mkdir(parents=True, exist_ok=True)
        path = lock_path(pid_file)
        try:
            lock = file_lock.take(path, NOTE)
        except LockHeld as exc:
            raise DaemonRunning(path, exc.holder) from None
        held = cls(pid_file, lock)
        try:
            pid_file.write_text(f"{os.getpid()}\n")
        except OSError:
            held.release()
            raise
        return held

    def release(self) -> None:
        if self._lock.held:
            self.pid_file.unlink(missing_ok=True)
            self._lock.release()

    def __enter__(self) -> DaemonLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def running_daemon(pid_file: Path) -> file_lock.Holder | None:
    """The daemon holding this config's lock (its pid None if it is just starting), or None."""
    return file_lock.holder(lock_path(pid_file))
