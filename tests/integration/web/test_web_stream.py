"""The auth middleware passes a streamed response through chunk by chunk (the wallboard's event
stream): the first chunk reaches the server before the stream's next event exists."""

from __future__ import annotations

import asyncio

from polling import until
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from hotline.web.auth.kit import AuthKit
from hotline.web.auth.middleware import AuthMiddleware
from hotline.web.deps import WebDeps


async def test_a_stream_is_not_buffered(engine, db_url, tmp_path, clock, offload):
    from web_harness import settings

    s = settings(db_url, tmp_path)
    assert s.web is not None
    kit = AuthKit.build(WebDeps(settings=s, web=s.web, engine=engine, clock=clock, offload=offload))
    second = asyncio.Event()

    async def events(request: Request) -> StreamingResponse:
        async def chunks():
            yield b"data: first\n\n"
            await second.wait()
            yield b"data: second\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    app = Starlette(routes=[Route("/events", events)], middleware=[Middleware(AuthMiddleware, kit=kit)])
    sent: list[dict] = []
    disconnect = asyncio.Event()

    async def receive() -> dict:
        await disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/events", "headers": [], "query_string": b""}
    task = asyncio.create_task(app(scope, receive, send))
    await until(lambda: any(m.get("body") == b"data: first\n\n" for m in sent), 5, "the first event sent")
    assert not any(m.get("body") == b"data: second\n\n" for m in sent)
    second.set()
    disconnect.set()
    await asyncio.wait_for(task, 5)
    assert any(m.get("body") == b"data: second\n\n" for m in sent)
