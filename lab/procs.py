"""Process helpers for lab daemons: liveness, pid files, stopping by pid (never by name)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from lab.errors import LabError

POLL = 0.05  # seconds between liveness checks


def alive(pid: int) -> bool:
    """True if `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = stat.rsplit(")", 1)[1].split()[0]
    return state not in ("Z", "X")


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return ""


def root_of(pid: int) -> str:
    """The root directory of a process as seen from the host ('' if unknown)."""
    try:
        return os.readlink(f"/proc/{pid}/root")
    except OSError:
        return ""


def chrooted(root: Path, name: str) -> list[int]:
    """Live processes called `name` whose root directory is `root`."""
    target = str(root.resolve())
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            if command_name(pid) == name and root_of(pid) == target and alive(pid):
                found.append(pid)
    return sorted(found)


def read_pid(pid_file: Path) -> int | None:
    try:
        text = pid_file.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() else None


def write_pid(pid_file: Path, pid: int) -> None:
    tmp = pid_file.with_suffix(".tmp")
    tmp.write_text(f"{pid}\n")
    tmp.replace(pid_file)


def _reap(pid: int) -> None:
    """Collect the exit status if `pid` is our child (otherwise a no-op)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def terminate(pid: int, timeout: float = 10, kill_timeout: float = 5) -> bool:
    """SIGTERM, then SIGKILL once `timeout` has passed. Returns True if SIGKILL was needed."""
    killed = False
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, kill_timeout)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            _reap(pid)
            return killed
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            _reap(pid)
            if not alive(pid):
                return killed
            time.sleep(POLL)
        killed = True
    raise LabError(f"process {pid} survived SIGTERM and SIGKILL")
