"""The daemon's liveness, in-process: READY=1 once FastAGI serves, WATCHDOG=1 from the event loop,
STOPPING=1 at shutdown; a blocking call injected into the running loop raises the loop-lag gauge
on /metrics and logs daemon.loop_lag."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from daemon_settings import daemon_settings
from in_process import daemon_in_process
from polling import until
from structlog.testing import capture_logs


@pytest.fixture
def notify_socket(tmp_path, monkeypatch):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "600000")  # ping every 0.3 s
    yield sock
    sock.close()


def received(sock: socket.socket, got: list[str]) -> list[str]:
    while True:
        try:
            got.append(sock.recv(4096).decode().split("\n")[0])
        except BlockingIOError:
            return got


def lag_gauge(running) -> float:
    text = running.ctx.metrics.exposition()[0].decode()
    (line,) = [ln for ln in text.splitlines() if ln.startswith("hotline_event_loop_lag_seconds ")]
    return float(line.split()[1])


async def test_ready_then_watchdog_pings_then_stopping(db_url, tmp_path, notify_socket):
    got: list[str] = []
    async with daemon_in_process(daemon_settings(db_url, tmp_path)):
        await until(lambda: received(notify_socket, got).count("WATCHDOG=1") >= 3, 10, "watchdog pings")
        assert "READY=1" in got
    assert "STOPPING=1" in received(notify_socket, got)


async def test_a_blocked_loop_shows_on_the_lag_gauge_and_in_the_log(db_url, tmp_path):
    settings = daemon_settings(
        db_url, tmp_path, liveness={"loop_tick_seconds": 0.1, "loop_lag_warn_seconds": 0.3}
    )
    async with daemon_in_process(settings) as running:
        await until(lambda: 0 <= lag_gauge(running) < 0.3, 5, "a healthy loop")
        with capture_logs() as logs:
            asyncio.get_running_loop().call_soon(time.sleep, 0.8)  # the injected blocking call
            await until(lambda: lag_gauge(running) >= 0.6, 5, "the lag seen")
        (warning,) = [e for e in logs if e["event"] == "daemon.loop_lag"]
        assert warning["log_level"] == "warning" and warning["lag_s"] >= 0.6
        await until(lambda: lag_gauge(running) < 0.3, 5, "back to normal")
