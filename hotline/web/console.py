"""The web console as one of the daemon's services: load today's figures, build the wallboard
and the app, listen, and stop in order (the board's streams end, then the server)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import structlog

from hotline.calls.context import CallContext
from hotline.settings import WebConsole
from hotline.web.app import build_app
from hotline.web.daemon_parts import DaemonParts
from hotline.web.deps import WebDeps
from hotline.web.desk.desk import Desk
from hotline.web.desk.pop import Labels
from hotline.web.live.alerts import Health
from hotline.web.live.board import LiveBoard
from hotline.web.live.today import Today
from hotline.web.server import WebServer

log = structlog.get_logger("web")


class Console:
    def __init__(
        self,
        board: LiveBoard,
        desk: Desk,
        server: WebServer,
        offload: ThreadPoolExecutor,
        flush: Callable[[], Awaitable[None]],
    ) -> None:
        self.board = board
        self.desk = desk
        self._flush = flush
        self.server = server
        self._offload = offload
        self._ticker: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        web = self.board.settings.web
        assert web is not None
        return f"http://{web.host}:{self.server.port}/"

    @classmethod
    async def start(cls, ctx: CallContext, web: WebConsole) -> Console:
        """Today's figures are read once here (a restart is seamless); from then on the board
        follows the recorder's items and the live events, with no SQL per event."""
        settings = ctx.settings
        today = await Today.load(ctx.engine, settings, ctx.clock())
        board = LiveBoard(
            settings, acd=ctx.acd, trunks=ctx.trunks, today=today, health=_health(ctx), clock=ctx.clock
        )
        desk = Desk(board, ctx.engine, desk_labels(ctx))
        ctx.recorder.observers.add(board.on_item)
        ctx.bus.listeners.add(board.on_event)
        ctx.bus.listeners.add(desk.on_event)
        offload = ThreadPoolExecutor(max_workers=2, thread_name_prefix="web-offload")
        deps = WebDeps(settings=settings, web=web, engine=ctx.engine, clock=ctx.clock, offload=offload)
        if ctx.outbound is None:
            raise RuntimeError("the console needs the daemon's dialer (a closed work order's follow-up)")
        parts = DaemonParts(board, desk, ctx.acd, ctx.menus, ctx.ami, ctx.peak, ctx.outbound, ctx.bus)
        server = WebServer(build_app(deps, parts), web.host, web.port)
        await server.start()
        console = cls(board, desk, server, offload, ctx.recorder.flush)
        console._ticker = asyncio.create_task(board.run(), name="wallboard-tick")
        return console

    async def reload(self) -> None:
        """Today's figures read again (the store got rows by another way than the recorder)."""
        await self.board.today.reload(self._flush, self.board.clock())
        self.board.broadcast.changed()

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        self.desk.close()
        self.board.close()  # the live streams end, so the server's graceful stop is quick
        await self.server.close()
        self._offload.shutdown(wait=False, cancel_futures=True)
        log.info("web.stopped")


def desk_labels(ctx: CallContext) -> Callable[[], Labels]:
    """The names the screen pop shows: categories, the current menu's nodes, agents."""
    agents = {a.id: a.name for a in ctx.settings.agents}
    categories = ctx.settings.categories.labels

    def labels() -> Labels:
        return Labels(categories=categories, nodes=ctx.menus.node_labels(), agents=agents)

    return labels


def _health(ctx: CallContext) -> Callable[[], Health]:
    def health() -> Health:
        return Health(
            ami_connected=ctx.ami.connected.is_set() if ctx.ami is not None else None,
            database_reachable=ctx.recorder.reachable,
            peak_reason=ctx.peak.active_reason,
        )

    return health
