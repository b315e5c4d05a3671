"""Push the board to every browser watching it: one render per change, shared by all.

`changed()` asks for a push; changes within `min_interval_s` of the last push are coalesced into
one (a busy hour's events cost one render per interval, not one per event per browser). Each
watcher keeps only the newest payload it has not read yet: a slow browser skips states, never
queues them. Nothing here does I/O; the SSE route reads `watch()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable


class _Watcher:
    __slots__ = ("latest", "ready")

    def __init__(self, first: bytes) -> None:
        self.latest: bytes | None = first
        self.ready = asyncio.Event()
        self.ready.set()


class Broadcast:
    def __init__(
        self,
        render: Callable[[], bytes],
        *,
        min_interval_s: float = 0.1,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._render = render
        self._min_interval_s = min_interval_s
        self._watchers: set[_Watcher] = set()
        self._pending: asyncio.Handle | None = None
        self._last_push = float("-inf")
        self._closed = False
        self._clock = clock
        self.pushes = 0  # renders sent (for metrics and tests)

    @property
    def watchers(self) -> int:
        return len(self._watchers)

    def changed(self) -> None:
        if self._pending is not None or self._closed or not self._watchers:
            return
        loop = asyncio.get_running_loop()
        now = self._clock() if self._clock is not None else loop.time()
        wait = self._last_push + self._min_interval_s - now
        if wait > 0:
            self._pending = loop.call_later(wait, self._push)
        else:
            self._pending = loop.call_soon(self._push)

    def _push(self) -> None:
        self._pending = None
        loop = asyncio.get_running_loop()
        self._last_push = self._clock() if self._clock is not None else loop.time()
        payload = self._render()
        self.pushes += 1
        for watcher in self._watchers:
            watcher.latest = payload
            watcher.ready.set()

    async def watch(self, *, heartbeat_s: float = 15.0) -> AsyncGenerator[bytes | None, None]:
        """The current board at once, then each new one; None every `heartbeat_s` without a change
        (the route sends a comment so proxies keep the stream open). Ends when closed."""
        watcher = _Watcher(self._render())
        self._watchers.add(watcher)
        try:
            while not self._closed:
                try:
                    async with asyncio.timeout(heartbeat_s):
                        await watcher.ready.wait()
                except TimeoutError:
                    yield None
                    continue
                watcher.ready.clear()
                payload, watcher.latest = watcher.latest, None
                if payload is not None and not self._closed:
                    yield payload
        finally:
            self._watchers.discard(watcher)

    def close(self) -> None:
        """End every stream (the daemon is stopping)."""
        self._closed = True
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        for watcher in self._watchers:
            watcher.ready.set()
