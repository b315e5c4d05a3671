"""The supervisor's wallboard: the page (wall mode for the big screen, desk mode), its state as
JSON, and the live stream (Server-Sent Events) the page listens to."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from hotline.web.auth.roles import require
from hotline.web.auth.sessions import Session
from hotline.web.live.board import LiveBoard
from hotline.web.templating import error_page, page

MODES = {"wall": "大屏", "desk": "桌面"}


def wallboard_routes(board: LiveBoard) -> list[BaseRoute]:
    @require("supervisor", "admin")
    async def wallboard(request: Request) -> Response:
        mode = request.query_params.get("mode", "desk")
        if mode not in MODES:
            return error_page(request, 400, "参数错误", "显示模式只能是 wall（大屏）或 desk（桌面）。")
        return page(request, "wallboard.html", {"mode": mode, "modes": MODES})

    @require("supervisor", "admin")
    async def state(request: Request) -> Response:
        return Response(board.render(), media_type="application/json", headers={"Cache-Control": "no-store"})

    @require("supervisor", "admin")
    async def stream(request: Request) -> Response:
        return StreamingResponse(
            _events(board, _stream_seconds(request, board)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return [
        Route("/wallboard", wallboard),
        Route("/wallboard/state", state),
        Route("/wallboard/stream", stream),
    ]


def _stream_seconds(request: Request, board: LiveBoard) -> float:
    """A stream lasts at most until its session could have expired idle (or for good): the
    browser then reconnects, and that request checks (and refreshes) the session again. So a
    wall screen stays logged in for the session's maximum age, a disabled user is out at once."""
    web = board.settings.web
    idle_s = web.session_idle_minutes * 60.0 if web is not None else 3600.0
    session = getattr(request.state, "session", None)
    if not isinstance(session, Session):
        return idle_s
    return max(1.0, min(idle_s, (session.expires_at - board.clock()).total_seconds()))


async def _events(board: LiveBoard, seconds: float) -> AsyncIterator[bytes]:
    yield b"retry: 2000\n\n"
    deadline = asyncio.get_running_loop().time() + seconds
    watch = board.broadcast.watch()
    try:
        while True:
            try:  # the timeout covers the wait only, never a yield to the sender
                async with asyncio.timeout_at(deadline):
                    payload = await anext(watch)
            except (TimeoutError, StopAsyncIteration):
                return
            # a JSON text has no raw newline, so one `data:` line carries it
            yield b": keep-alive\n\n" if payload is None else b"data: " + payload + b"\n\n"
    finally:
        await watch.aclose()
