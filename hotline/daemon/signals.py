"""The daemon's signals: SIGTERM/SIGINT stop it gracefully, SIGHUP reloads the menu, SIGUSR1 reads
the dialer's jobs, do-not-call list and notices from the store now (the CLI changed them)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

from hotline.services.menus import LoadedMenu, MenuStore
from ivr.errors import MenuError


class MenuReloader:
    """SIGHUP: the menu file is read and checked in a worker thread, one reload at a time, so the
    calls on the event loop never wait for it; the new menu is swapped in by one assignment.
    `on_reloaded` (the menu history's recorder) is awaited with each menu swapped in."""

    def __init__(self, menus: MenuStore, on_reloaded: Callable[[LoadedMenu], Awaitable[None]] | None = None):
        self.menus = menus
        self.on_reloaded = on_reloaded
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self) -> None:
        task = asyncio.get_running_loop().create_task(self.reload(), name="menu-reload")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def reload(self) -> None:
        async with self._lock:
            try:
                loaded = await asyncio.to_thread(self.menus.reload)
            except MenuError:
                return  # MenuStore.reload logged every error; the running menu stays
            if self.on_reloaded is not None:
                await self.on_reloaded(loaded)


def install_signal_handlers(
    stop: asyncio.Event, reload_menu: Callable[[], None], store_changed: Callable[[], None]
) -> None:
    """SIGTERM/SIGINT: graceful stop. SIGHUP: reload the menu (an invalid file is logged, kept out).
    SIGUSR1: `store_changed` (the dialer polls at once)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, reload_menu)
    loop.add_signal_handler(signal.SIGUSR1, store_changed)
