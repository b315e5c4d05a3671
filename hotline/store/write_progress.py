"""How far the recorder's writer has got: items accepted and written, in order, and the
`flush()` calls waiting for a count to be reached."""

from __future__ import annotations

import asyncio


class WriteProgress:
    def __init__(self) -> None:
        self.enqueued = 0  # items this process accepted, in order
        self.written = 0  # of those, committed (or dropped with a log), in the same order
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []  # (items to reach, future)

    @property
    def unwritten(self) -> int:
        return self.enqueued - self.written

    @property
    def awaited(self) -> bool:
        """Whether a flush is waiting."""
        return bool(self._waiters)

    def accept(self) -> None:
        """One more item is queued."""
        self.enqueued += 1

    def acknowledge(self, items: int) -> None:
        """`items` more of this process's items are written: wake the flushes that waited for them."""
        self.written += items
        if self._waiters:
            for target, waiter in self._waiters:
                if target <= self.written and not waiter.done():
                    waiter.set_result(None)
            self._waiters = [(t, w) for t, w in self._waiters if not w.done()]

    async def wait(self) -> None:
        """Until every item accepted so far is written."""
        if self.written >= self.enqueued:
            return
        entry = (self.enqueued, asyncio.get_running_loop().create_future())
        self._waiters.append(entry)
        try:
            await entry[1]
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def fail(self, message: str) -> None:
        """The writer stopped: every waiting flush raises RuntimeError(message)."""
        for _, waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(RuntimeError(message))
