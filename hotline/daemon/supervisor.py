"""`hotline supervise`: what systemd's `Type=notify` + `WatchdogSec=` + `Restart=always` do, for
where systemd is not the supervisor (the lab, `make run`, a container).

It serves the same notify protocol (a datagram socket named in $NOTIFY_SOCKET, $WATCHDOG_USEC) to
one child, the daemon. A child that does not say READY=1 within the start timeout, or whose pings
(WATCHDOG=1) stop for longer than the watchdog limit once ready, is killed with SIGKILL (a frozen
or SIGSTOPped process cannot run a handler) and started again after `restart_s`; so is one that
exits by itself - unless five in a row ended before READY=1 (a config error, a port taken by
another program: restarting cannot help; systemd's StartLimitBurst). SIGTERM/SIGINT are passed
on and end the supervision once the child has stopped (SIGKILL after the stop timeout); SIGHUP
(menu reload) and SIGUSR1 (the CLI changed the dialer's jobs) are passed on.

Why our own and not `systemd-run --user`: the lab and CI machines run without a systemd instance
(containers, chroots), and the protocol is a few lines; the shipped unit uses systemd itself.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import structlog

log = structlog.get_logger("supervisor")
POLL_S = 0.05
PASSED_ON = (signal.SIGHUP, signal.SIGUSR1)  # to the child: menu reload, store changed
START_LIMIT = 5  # children in a row that never got ready (a bad config, a port taken): give up


class Supervisor:
    def __init__(
        self,
        command: Sequence[str],
        *,
        watchdog_s: float,
        restart_s: float,
        start_timeout_s: float,
        stop_timeout_s: float,
        env: Mapping[str, str] | None = None,
    ):
        self.command = list(command)
        self.watchdog_s, self.restart_s = watchdog_s, restart_s
        self.start_timeout_s, self.stop_timeout_s = start_timeout_s, stop_timeout_s
        self.env = dict(os.environ if env is None else env)
        self.stopping = asyncio.Event()
        self.child: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.ready_pid: int | None = None  # the child that said READY=1 last
        self.child_pid: int | None = None
        self.failed_starts = 0  # children in a row that ended before READY=1

    async def run(self) -> int:
        """Supervise until asked to stop; returns the child's last exit status."""
        self._install_signals()
        try:
            return await self._supervise()
        finally:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT, *PASSED_ON):
                loop.remove_signal_handler(sig)

    async def _supervise(self) -> int:
        with tempfile.TemporaryDirectory(prefix="hotline-notify-") as tmp:
            path = str(Path(tmp) / "notify")
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.bind(path)
                sock.setblocking(False)
                while True:
                    status = await self._run_child(sock, path)
                    if self.stopping.is_set():
                        return status
                    self.failed_starts = 0 if self.ready_pid == self.child_pid else self.failed_starts + 1
                    if self.failed_starts >= START_LIMIT:
                        log.error(
                            "supervisor.giving_up", failed_starts=self.failed_starts, exit_status=status
                        )
                        return status
                    log.warning("supervisor.restarting", exit_status=status, in_s=self.restart_s)
                    try:
                        await asyncio.wait_for(self.stopping.wait(), self.restart_s)
                        return status
                    except TimeoutError:
                        pass

    def stop(self) -> None:
        self.stopping.set()
        self._signal_child(signal.SIGTERM)

    async def _run_child(self, sock: socket.socket, path: str) -> int:
        env = {**self.env, "NOTIFY_SOCKET": path, "WATCHDOG_USEC": str(int(self.watchdog_s * 1_000_000))}
        env.pop("WATCHDOG_PID", None)
        self.child = child = await asyncio.create_subprocess_exec(*self.command, env=env)
        self.child_pid = child.pid
        self.starts += 1
        log.info("supervisor.started", pid=child.pid, start=self.starts)
        exited = asyncio.ensure_future(child.wait())
        try:
            await self._watch(child, sock, exited)
        finally:
            if not exited.done():
                _kill(child)
            status = await exited
        log.info("supervisor.child_exited", pid=child.pid, exit_status=status)
        return status

    async def _watch(
        self, child: asyncio.subprocess.Process, sock: socket.socket, exited: asyncio.Future[int]
    ) -> None:
        loop = asyncio.get_running_loop()
        last, ready, stop_at = loop.time(), False, None
        while not exited.done():
            await asyncio.wait({exited}, timeout=POLL_S)
            now = loop.time()
            for fields in _datagrams(sock):
                if "READY=1" in fields and not ready:
                    ready, self.ready_pid = True, child.pid
                    log.info("supervisor.ready", pid=child.pid)
                if "WATCHDOG=1" in fields or "READY=1" in fields:
                    last = now
            if self.stopping.is_set():
                stop_at = stop_at or now
                if now - stop_at > self.stop_timeout_s:
                    log.error("supervisor.stop_timeout", pid=child.pid, after_s=self.stop_timeout_s)
                    _kill(child)
                    stop_at = float("inf")  # once
                continue
            limit = self.watchdog_s if ready else self.start_timeout_s
            if now - last > limit:
                log.error(
                    "supervisor.watchdog_timeout", pid=child.pid, ready=ready, silent_s=round(now - last, 3)
                )
                child.kill()
                return

    def _signal_child(self, sig: signal.Signals) -> None:
        if self.child is not None and self.child.returncode is None:
            self.child.send_signal(sig)

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        for sig in PASSED_ON:
            loop.add_signal_handler(sig, self._signal_child, sig)


def _kill(child: asyncio.subprocess.Process) -> None:
    """SIGKILL (a frozen or stopped process runs no handler); nothing if it is already gone."""
    if child.returncode is None:
        try:
            child.kill()
        except ProcessLookupError:
            pass


def _datagrams(sock: socket.socket) -> list[list[str]]:
    """Every notification waiting on the socket, each as its lines (`KEY=value`)."""
    out: list[list[str]] = []
    while True:
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return out
        out.append(data.decode("utf-8", "replace").split("\n"))
