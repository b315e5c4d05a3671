"""A live stream (Server-Sent Events) of one Broadcast's payloads, shared by the wallboard and the
agent desk. A stream ends when its session could have expired idle (or for good): the browser
then reconnects, and that request checks (and refreshes) the session again, so a wall screen
stays logged in for the session's maximum age and a disabled user is out at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from hotline.settings import WebConsole
from hotline.web.auth.sessions import Session
from hotline.web.live.push import Broadcast


def sse_response(
    request: Request, broadcast: Broadcast, web: WebConsole | None, clock: Callable[[], datetime]
) -> Response:
    return StreamingResponse(
        _events(broadcast, _stream_seconds(request, web, clock)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _stream_seconds(request: Request, web: WebConsole | None, clock: Callable[[], datetime]) -> float:
    idle_s = web.session_idle_minutes * 60.0 if web is not None else 3600.0
    session = getattr(request.state, "session", None)
    if not isinstance(session, Session):
        return idle_s
    return max(1.0, min(idle_s, (session.expires_at - clock()).total_seconds()))


async def _events(broadcast: Broadcast, seconds: float) -> AsyncIterator[bytes]:
    yield b"retry: 2000\n\n"
    deadline = asyncio.get_running_loop().time() + seconds
    watch = broadcast.watch()
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
