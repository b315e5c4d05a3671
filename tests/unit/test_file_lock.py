"""hotline.daemon.file_lock: two processes contending on one lock file."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from polling import wait_until

from hotline.daemon.file_lock import Holder, LockHeld, holder, take

HOLD = """
import sys
from hotline.daemon.file_lock import take
lock = take(__import__("pathlib").Path(sys.argv[1]), sys.argv[2])
print("locked", flush=True)
sys.stdin.readline()
lock.release()
"""

PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_SH)  # what a `holder()` probe does for an instant
print("locked", flush=True)
sys.stdin.readline()
"""


class Child:
    """A process holding the lock until told to let go (or killed)."""

    def __init__(self, script: str, *args: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout.readline().strip() == "locked"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def let_go(self) -> None:
        self.proc.communicate("\n", timeout=10)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def children():
    started: list[Child] = []

    def start(script: str, *args: str) -> Child:
        started.append(Child(script, *args))
        return started[-1]

    yield start
    for c in started:
        c.kill()


def no_sleep(_s: float) -> None:
    raise AssertionError("a holder with a known pid must be refused at once")


def test_a_second_process_is_refused_at_once_naming_the_holder(tmp_path, children):
    path = tmp_path / "x.lock"
    first = children(HOLD, str(path), "hotline run")
    with pytest.raises(LockHeld, match=re.escape(f"{path} is held by pid {first.pid} (hotline run)")) as exc:
        take(path, "second", sleep=no_sleep)
    assert exc.value.holder == Holder(first.pid, "hotline run")
    assert holder(path) == Holder(first.pid, "hotline run")
    first.let_go()
    assert holder(path) is None
    assert path.read_text() == ""  # released: no pid left for the next one's messages
    with take(path, "second") as lock:
        assert holder(path) == Holder(os.getpid(), "second")
        assert path.read_text() == f"{os.getpid()}\nsecond\n"
    assert not lock.held


def test_a_killed_holder_leaves_no_stale_lock(tmp_path, children):
    path = tmp_path / "x.lock"
    first = children(HOLD, str(path), "killed")
    os.kill(first.pid, signal.SIGKILL)
    first.kill()  # reaped
    assert path.read_text() == f"{first.pid}\nkilled\n"  # what it wrote stays ...
    assert holder(path) is None  # ... but nobody holds the lock
    take(path).release()


def test_probing_changes_nothing(tmp_path, children):
    missing = tmp_path / "none.lock"
    assert holder(missing) is None and not missing.exists()
    path = tmp_path / "x.lock"
    first = children(HOLD, str(path), "n")
    for _ in range(3):
        assert holder(path) == Holder(first.pid, "n")
    with pytest.raises(LockHeld, match=re.escape(f"is held by pid {first.pid} (n)")):
        take(path, sleep=no_sleep)


def test_a_child_started_while_holding_does_not_keep_the_lock(tmp_path):
    path = tmp_path / "x.lock"
    with take(path, "parent"):
        child = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.readline()"],
            stdin=subprocess.PIPE,
            text=True,
            close_fds=False,
        )
    try:
        # the child's copy is closed by its exec(), which the kernel may finish just after Popen returns
        wait_until(lambda: holder(path) is None, 10, "the child's copy of the lock closed")
        assert child.poll() is None  # like Asterisk started by `python -m lab up`
        take(path, "next").release()
    finally:
        child.communicate("\n", timeout=10)


def test_a_holder_without_a_pid_yet_is_waited_for_briefly(tmp_path, children):
    path = tmp_path / "x.lock"
    path.write_text("")
    probe = children(PROBE, str(path))
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        probe.let_go()  # the probe ends while take() waits

    with take(path, "daemon", sleep=sleep):
        assert len(sleeps) == 1


def test_a_holder_without_a_pid_is_waited_for_a_bounded_time(tmp_path, children):
    path = tmp_path / "x.lock"
    path.write_text("999999999\nits pid died with it\n")
    children(PROBE, str(path))
    sleeps: list[float] = []
    with pytest.raises(LockHeld, match="is held by a process that has not written its pid yet") as exc:
        take(path, settle_s=0.05, sleep=sleeps.append)
    assert exc.value.holder == Holder(None)
    assert 0 < sum(sleeps) <= 0.06


def test_the_folder_is_not_created(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such file or directory"):
        take(tmp_path / "no" / "x.lock")
    assert not Path(tmp_path / "no").exists()
