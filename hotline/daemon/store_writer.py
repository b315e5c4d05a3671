"""The store's writer task beside the daemon's task group, not in it.

In the group, a failing start (a port taken) or any service crashing would cancel the writer
with what was queued still unwritten: the agents' logins of the start, the ends of calls being
recorded. Here the group only watches it (`watch_writer`: the writer crashing still ends the
daemon), and when the group ends with an error the writer first writes what is queued, for at
most the shutdown grace (the database may be what failed), then stops. On a clean stop the
daemon has closed the store in its order (wiring._stop_in_order) and nothing is left to do.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog

from hotline.store.recorder import CallRecorder

log = structlog.get_logger("daemon")


@contextlib.asynccontextmanager
async def store_writer(recorder: CallRecorder, grace_s: float) -> AsyncIterator[asyncio.Task[None]]:
    writer = recorder.start()  # the recorder's own task: its close() awaits it
    try:
        yield writer
    finally:
        if not writer.done():
            await _finish(recorder, writer, grace_s)


async def watch_writer(writer: asyncio.Task[None]) -> None:
    """For the task group: ends with the writer and fails with it; cancelled, leaves it running."""
    await asyncio.shield(writer)


async def _finish(recorder: CallRecorder, writer: asyncio.Task[None], grace_s: float) -> None:
    # a task waited on with a timeout, not asyncio.timeout(): after a task group's failure the
    # task here still counts the group's cancel request, and on Python 3.11 asyncio.timeout
    # then lets its expiry out as CancelledError instead of TimeoutError
    closing = asyncio.create_task(recorder.close(), name="store-close")
    done, _ = await asyncio.wait({closing}, timeout=grace_s)
    if not done:
        log.error("store.unwritten_at_exit", items=recorder.backlog, waited_s=grace_s)
        closing.cancel()
        writer.cancel()
        await asyncio.wait({closing, writer})
        return
    error = closing.exception()
    if error is not None:  # the writer failed, or stopped with items unwritten (it logged them)
        log.error("store.writer_failed_at_exit", error=str(error))
