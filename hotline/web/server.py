"""Serve the console with uvicorn inside the daemon: no signal handlers of its own (the daemon
owns SIGTERM/SIGINT), its socket bound before start (so the port is known at once, 0 = any free
port), stopped in order with the rest."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import structlog
import uvicorn
from starlette.types import ASGIApp

log = structlog.get_logger("web")


class _DaemonOwnedSignals(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    def __init__(self, app: ASGIApp, host: str, port: int, *, graceful_s: float = 3.0) -> None:
        self.app = app
        config = uvicorn.Config(
            app,
            lifespan="off",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=int(graceful_s) or 1,
        )
        self._server = _DaemonOwnedSignals(config)
        self._host, self._wanted_port = host, port
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    async def start(self) -> None:
        """Bind, then serve in a task held here (awaited by close; a failure is logged, never
        taken down with the calls)."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._wanted_port))
        except OSError as exc:
            sock.close()
            raise OSError(f"web console cannot listen on {self._host}:{self._wanted_port}: {exc}") from exc
        sock.listen(128)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="web-console")
        self._task.add_done_callback(_log_failure)
        log.info("web.listening", url=f"http://{self._host}:{self.port}/")

    async def close(self) -> None:
        """Stop accepting, let requests finish (live streams end when the board closes), then return."""
        task = self._task
        if task is None:
            return
        self._server.should_exit = True
        await task


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("web.failed", error=repr(task.exception()))
