"""The supervisor's wallboard: the page (wall mode for the big screen, desk mode), its state as
JSON, and the live stream (Server-Sent Events) the page listens to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hotline.web.auth.roles import require
from hotline.web.live.board import LiveBoard
from hotline.web.live.sse import sse_response
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
        return sse_response(request, board.broadcast, board.settings.web, board.clock)

    return [
        Route("/wallboard", wallboard),
        Route("/wallboard/state", state),
        Route("/wallboard/stream", stream),
    ]
