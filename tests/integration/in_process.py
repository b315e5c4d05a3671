"""The daemon run in the test's own event loop (`run_daemon`, as `hotline run` runs it), ready when
the block starts and stopped on the way out as SIGTERM stops it (calls drained, the store
flushed). The one way integration tests start and stop an in-process daemon."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from hotline.daemon.wiring import Running, run_daemon
from hotline.settings import Settings

READY_S = 20.0  # a start on PostgreSQL runs its migrations first
AMI_CONNECTED_S = 5.0


@contextlib.asynccontextmanager
async def daemon_in_process(
    settings: Settings, *, ami_enabled: bool = False, stop_s: float = 10.0
) -> AsyncIterator[Running]:
    """The daemon on `settings`, ready (with `ami_enabled`, its AMI logged in too); a daemon that
    fails while starting raises its own error here, not a timeout."""
    stop = asyncio.Event()
    started: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(run_daemon(settings, stop, ami_enabled=ami_enabled, started=started))
    try:
        await asyncio.wait({started, task}, timeout=READY_S, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # the daemon's own error (it returns only once told to stop)
        if not started.done():
            raise TimeoutError(f"the daemon was not ready within {READY_S} s")
        running = started.result()
        if ami_enabled:
            assert running.ctx.ami is not None
            await running.ctx.ami.wait_connected(AMI_CONNECTED_S)
        yield running
    finally:
        stop.set()  # what SIGTERM does
        await asyncio.wait_for(task, stop_s)
