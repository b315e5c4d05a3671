"""The lab lock: one user of the lab per machine (lab.lab_lock). Nothing here starts Asterisk:
the lab's run directory and chroot are temporary folders, and whatever would start it is replaced."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lab.__main__ as lab_main
from hotline.daemon.file_lock import Holder, holder
from lab.asterisk import LabAsterisk
from lab.lab_lock import LabBusy, lab_lock_path, take_lab

HOLD = """
import sys
from lab.lab_lock import take_lab
lock = take_lab(sys.argv[1])
print("locked", flush=True)
sys.stdin.readline()
"""


@pytest.fixture(autouse=True)
def lab_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_LAB_RUN", str(tmp_path / "run"))
    monkeypatch.setenv("HOTLINE_LAB_CHROOT", str(tmp_path / "chroot"))
    monkeypatch.setattr(LabAsterisk, "start", _never)
    monkeypatch.setattr(lab_main, "ensure_chroot", _never)


def _never(*_a, **_k):
    raise AssertionError("the lab must not be started by these tests")


@pytest.fixture
def session_holding_the_lab():
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, "test session: pytest tests/e2e"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc.pid
    finally:
        proc.kill()
        proc.wait(10)


def test_a_second_user_fails_at_once_naming_the_holder(session_holding_the_lab):
    pid = session_holding_the_lab
    message = (
        f"the lab is in use by pid {pid} (test session: pytest tests/e2e); "
        "wait for it to finish, or stop that process"
    )
    with pytest.raises(LabBusy, match=f"^{re.escape(message)}$"):
        take_lab("another test session")


def test_the_lab_is_free_again_when_its_holder_dies(session_holding_the_lab, tmp_path):
    os.kill(session_holding_the_lab, 9)
    os.waitpid(session_holding_the_lab, 0)
    take_lab("next").release()
    assert lab_lock_path() == tmp_path / "run" / "lab.lock"


@pytest.mark.parametrize("command", [["up", "--smoke"], ["down"]])
def test_lab_up_and_down_by_hand_change_nothing_while_a_session_has_the_lab(
    session_holding_the_lab, command, monkeypatch, capsys
):
    stopped = []
    monkeypatch.setattr(LabAsterisk, "stop", lambda self, *a: stopped.append(self))
    assert lab_main.main(command) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"lab: the lab is in use by pid {session_holding_the_lab} (test session")
    assert stopped == []


def test_lab_up_by_hand_holds_the_lab_only_while_it_runs(monkeypatch):
    seen: list[Holder | None] = []

    async def fake_up(args):
        seen.append(holder(lab_lock_path()))

    monkeypatch.setattr(lab_main, "_up", fake_up)
    assert lab_main.main(["up", "--hotline"]) == 0
    assert seen == [Holder(os.getpid(), "python -m lab up")]
    assert holder(lab_lock_path()) is None  # `make run` goes on to `hotline run`; tests can have the lab


SESSION_TEST = """
import os
import lab.pytest_fixtures as fixtures
from hotline.daemon.file_lock import holder
from lab.lab_lock import lab_lock_path
from lab.pytest_fixtures import lab_session  # noqa: F401

fixtures.ensure_chroot = lambda: os.environ["HOTLINE_LAB_CHROOT"]  # nothing is built or started

def test_one(lab_session):
    h = holder(lab_lock_path())
    assert h.pid == os.getpid() and h.note.startswith("test session: pytest"), h

def test_two(lab_session):
    assert holder(lab_lock_path()).pid == os.getpid()
"""


def run_session(tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_session.py").write_text(SESSION_TEST)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(tmp_path / "pytest.ini"),
            str(tmp_path / "test_session.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="lab_session skips without root")
def test_a_test_session_holds_the_lab_until_it_ends(tmp_path):
    done = run_session(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert holder(lab_lock_path()) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="lab_session skips without root")
def test_a_second_test_session_fails_its_lab_tests_at_once(tmp_path, session_holding_the_lab):
    done = run_session(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 errors" in done.stdout, done.stdout
    assert (
        f"the lab is in use by pid {session_holding_the_lab} (test session: pytest tests/e2e)" in done.stdout
    )


def test_one_process_shares_the_lab_lock_until_its_last_holder_lets_go(tmp_path):
    # pytest builds a session fixture once per module that imports it: each takes the lab lock
    first = take_lab("fixture in module a", tmp_path)
    second = take_lab("fixture in module b", tmp_path)
    first.release()
    assert holder(lab_lock_path(tmp_path)) is not None  # still held for `second`
    second.release()
    assert holder(lab_lock_path(tmp_path)) is None
