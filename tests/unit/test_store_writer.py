"""The store's writer beside the daemon's task group (hotline/daemon/store_writer.py): a failing
sibling does not cancel it before it has written what is queued; it failing ends the group; a
close that cannot finish is given up after the grace."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from hotline.daemon.store_writer import store_writer, watch_writer


class Recorder:
    """What store_writer uses of CallRecorder: start() runs the writer until close() has written
    the queue; close() awaits it, as CallRecorder's does."""

    def __init__(self, *, fails: bool = False, stalls: bool = False) -> None:
        self.fails, self.stalls = fails, stalls
        self.queued = 2  # items recorded, not yet written
        self._closed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def backlog(self) -> int:
        return self.queued

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self._run())
        return self._task

    async def _run(self) -> None:
        if self.fails:
            raise RuntimeError("the disk is gone")
        await self._closed.wait()

    async def close(self) -> None:
        if self.stalls:
            await asyncio.Event().wait()  # the database never answers
        self.queued = 0
        self._closed.set()
        assert self._task is not None
        await self._task


async def boom() -> None:
    raise OSError("cannot listen for FastAGI on 127.0.0.1:4573")


async def test_a_failing_service_leaves_the_writer_to_write_the_queue_first():
    rec = Recorder()
    with pytest.raises(ExceptionGroup) as raised:
        async with store_writer(rec, grace_s=5) as writer, asyncio.TaskGroup() as tg:
            tg.create_task(watch_writer(writer))
            tg.create_task(boom())
    assert raised.group_contains(OSError, match="cannot listen")
    assert rec.queued == 0 and writer.done() and not writer.cancelled()


async def test_the_writer_failing_ends_the_group():
    with pytest.raises(ExceptionGroup) as raised:
        async with store_writer(Recorder(fails=True), grace_s=5) as writer, asyncio.TaskGroup() as tg:
            tg.create_task(watch_writer(writer))
            tg.create_task(asyncio.Event().wait())  # a service that would run for ever
    assert raised.group_contains(RuntimeError, match="disk is gone")


async def test_a_close_that_cannot_finish_is_given_up_after_the_grace():
    rec = Recorder(stalls=True)
    with capture_logs() as logs, pytest.raises(ExceptionGroup):
        async with store_writer(rec, grace_s=0.05) as writer, asyncio.TaskGroup() as tg:
            tg.create_task(watch_writer(writer))
            tg.create_task(boom())
    assert writer.cancelled()
    (entry,) = [e for e in logs if e["event"] == "store.unwritten_at_exit"]
    assert (entry["items"], entry["waited_s"]) == (2, 0.05)


async def test_a_clean_stop_leaves_nothing_to_do():
    rec = Recorder()
    async with store_writer(rec, grace_s=5) as writer:
        await rec.close()
    assert writer.done() and not writer.cancelled()
