"""One daemon per config: a second `hotline run` changes nothing; `menu reload` signals only the lock holder.

Real `hotline run` processes on a temporary config (SQLite, FastAGI on a free port, AMI pointed at a
closed port: the daemon keeps retrying it in the background, which these tests do not need).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from polling import wait_until

from hotline.store import CallRecorder, fetch_call
from hotline.store.db import make_engine, upgrade

ROOT = Path(__file__).resolve().parents[2]
POLL_S = 0.05


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(tmp: Path, **more: object) -> Path:
    cfg = tmp / "hotline.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "company": "测试县",
                "lab": True,  # weak secrets: `hotline run` would refuse them otherwise
                "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-x"}],
                "database": {"url": f"sqlite+aiosqlite:///{tmp / 'hotline.db'}"},
                "ami": {"host": "127.0.0.1", "port": free_port()},  # nobody listens there
                "fastagi": {
                    "host": "127.0.0.1",
                    "port": free_port(),
                },  # fixed: a second daemon would fail to bind it
                "shutdown_grace_seconds": 2,
                "menu_file": str(ROOT / "config" / "menu.yaml"),
                "pid_file": str(tmp / "run" / "hotline.pid"),
                "acd": {"state_file": str(tmp / "agents.json")},
                "peak": {"flag_file": str(tmp / "peak_mode")},
                **more,
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return cfg


def hotline(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hotline.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class Daemon:
    def __init__(self, cfg: Path, log: Path):
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hotline.cli", "run", "-c", str(cfg), "--json"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def logged(self, event: str) -> bool:
        return self.line(event) is not None

    def line(self, event: str) -> dict | None:
        """The daemon's first log line for `event`, or None."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"daemon exited with {self.proc.returncode}:\n{self.log.read_text()}")
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == event:
                return entry
        return None

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(30)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


@pytest.fixture
def daemon(tmp_path):
    cfg = write_config(tmp_path)
    d = Daemon(cfg, tmp_path / "daemon.log")
    try:
        wait_until(lambda: d.logged("daemon.ready"), 30, "daemon.ready")
        yield d, cfg
    finally:
        d.kill()


async def open_call(db_url: str, uniqueid: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    rec = CallRecorder(engine)
    rec.start()
    try:
        rec.call_started(
            uniqueid,
            direction="inbound",
            started_at=datetime.now(UTC),
            caller_number="13800138000",
            caller_name=None,
            dnid="95598",
            trunk=None,
        )
        await rec.flush()
    finally:
        await rec.close()
        await engine.dispose()


async def call_row(db_url: str, uniqueid: str):
    engine = make_engine(db_url)
    try:
        return await fetch_call(engine, uniqueid)
    finally:
        await engine.dispose()


def test_a_second_run_with_the_same_config_changes_nothing_and_exits_1(daemon, tmp_path):
    first, cfg = daemon
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    asyncio.run(open_call(db_url, "live.1"))  # a call the first daemon is handling
    pid_file = tmp_path / "run" / "hotline.pid"
    pid_before, stat_before = pid_file.read_text(), pid_file.stat()

    second = hotline("run", "-c", str(cfg), "--json")

    assert second.returncode == 1, second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and f"pid {first.proc.pid}" in lines[0] and "already running" in lines[0], lines
    row = asyncio.run(call_row(db_url, "live.1"))
    assert row.outcome is None and row.ended_at is None and row.failure_reason is None
    assert pid_file.read_text() == pid_before == f"{first.proc.pid}\n"
    assert pid_file.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert first.proc.poll() is None
    assert first.stop() == 0
    assert not pid_file.exists()  # removed by the daemon that held the lock


@pytest.mark.parametrize(("configured", "running"), [({}, "uvloop"), ({"event_loop": "asyncio"}, "asyncio")])
def test_the_daemon_runs_on_uvloop_unless_the_config_asks_for_asyncio(tmp_path, configured, running):
    d = Daemon(write_config(tmp_path, **configured), tmp_path / "daemon.log")
    try:
        wait_until(lambda: d.logged("daemon.ready"), 30, "daemon.ready")
        assert d.line("daemon.ready")["event_loop"] == running
        assert d.stop() == 0  # SIGTERM handled by the loop's own signal handler
        assert '"daemon.stopped"' in d.log.read_text()
    finally:
        d.kill()


def test_menu_reload_signals_the_daemon_holding_the_lock(daemon):
    first, cfg = daemon
    done = hotline("menu", "reload", "-c", str(cfg))
    assert done.returncode == 0, done.stderr
    assert f"pid {first.proc.pid}" in done.stdout
    wait_until(lambda: first.logged("menu.reloaded"), 10, "menu.reloaded")
    assert first.stop() == 0
    after = hotline("menu", "reload", "-c", str(cfg))
    assert after.returncode == 1 and "no daemon running" in after.stderr, after.stderr


HUP_RECORDER = """
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})  # a SIGHUP stays pending: no race
print("ready", flush=True)
sys.stdin.readline()
print("HUP" if signal.SIGHUP in signal.sigpending() else "none", flush=True)
"""


def test_menu_reload_never_signals_the_pid_of_a_stale_pid_file(tmp_path):
    cfg = write_config(tmp_path)
    bystander = subprocess.Popen(
        [sys.executable, "-c", HUP_RECORDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert bystander.stdout.readline().strip() == "ready"
        pid_file = tmp_path / "run" / "hotline.pid"
        pid_file.parent.mkdir()
        pid_file.write_text(f"{bystander.pid}\n")  # left by a daemon that died; the pid is reused

        result = hotline("menu", "reload", "-c", str(cfg))

        got, _ = bystander.communicate("report\n", timeout=10)
        assert got.strip() == "none"
        assert result.returncode == 1
        assert result.stderr.strip().count("\n") == 0 and "no daemon running" in result.stderr, result.stderr
        assert pid_file.read_text() == f"{bystander.pid}\n"
    finally:
        if bystander.poll() is None:
            bystander.kill()
            bystander.wait(10)


def test_a_fastagi_port_taken_by_another_program_is_one_line(tmp_path):
    cfg = write_config(tmp_path)
    port = yaml.safe_load(cfg.read_text(encoding="utf-8"))["fastagi"]["port"]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = hotline("run", "-c", str(cfg), "--json")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [errors[0]] and f"cannot listen for FastAGI on 127.0.0.1:{port}" in errors[0]
    assert "Traceback" not in result.stderr and "│" not in result.stderr
    assert not (tmp_path / "run" / "hotline.pid").exists()  # the lock holder cleaned up


def test_once_it_serves_the_daemon_freezes_what_start_built(daemon):
    d, _cfg = daemon
    wait_until(lambda: d.logged("daemon.heap_frozen"), 30, "daemon.heap_frozen")
    lines = [json.loads(x) for x in d.log.read_text().splitlines() if x.startswith("{")]
    events = [x["event"] for x in lines]
    assert events.index("daemon.ready") < events.index("daemon.heap_frozen")
    assert d.line("daemon.heap_frozen")["objects"] > 10_000  # the libraries, the services


def test_a_job_added_by_the_cli_is_read_by_the_daemon_at_once_not_at_its_next_poll(daemon):
    """`hotline outbound done` and `dnc add` tell the daemon (SIGUSR1): it reads the store now,
    while its own poll (`outbound.poll_seconds`, 60 s by default) is far away."""
    running, cfg = daemon
    wait_until(lambda: running.logged("dialer.loaded"), 10, "the dialer's first read")
    done = hotline("outbound", "done", "--order", "GD-1", "--kind", "repair", "--number", "13800138000",
                   "-c", str(cfg))  # fmt: skip
    assert done.returncode == 0, done.stderr
    wait_until(lambda: len(store_reads(running)) == 1, 10, "the daemon read the new job")
    dnc = hotline("outbound", "dnc", "add", "13800138000", "-c", str(cfg))
    assert dnc.returncode == 0, dnc.stderr
    wait_until(lambda: len(store_reads(running)) == 2, 10, "the daemon read the do-not-call list")
    assert [(r["new_jobs"], r["dnc_changes"]) for r in store_reads(running)] == [(1, 0), (0, 1)]
    assert running.stop() == 0


def store_reads(daemon: Daemon) -> list[dict]:
    lines = daemon.log.read_text(errors="replace").splitlines()
    return [e for e in map(json.loads, (x for x in lines if '"dialer.store_read"' in x))]
