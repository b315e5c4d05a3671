"""The agent desk's page, its state (JSON and live stream) and its state buttons.

A button does exactly what the softphone's feature code does: the same `acd.feature_codes`
meaning, fed to the same ACD; a change made either way reaches the desk as the ACD's
agent_state event. The buttons say what the agent wants (log in, log out...), so a double
click never toggles twice: a button that does not fit the current state is refused (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from acd.events import Event
from acd.feature_codes import PAUSE_REASONS, code_event
from acd.rules import AcdError
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import Endpoint, current_user, require
from hotline.web.desk.choices import form_choices
from hotline.web.desk.desk import Desk
from hotline.web.live.board import REASON_LABELS, STATE_LABELS
from hotline.web.live.sse import sse_response
from hotline.web.templating import page

log = structlog.get_logger("web.desk")
# desk button -> (feature code action, the states it is meant for)
BUTTONS: dict[str, tuple[str, frozenset[str]]] = {
    "login": ("login_toggle", frozenset({"logged_out"})),
    "logout": ("login_toggle", frozenset({"ready", "paused", "wrap_up"})),
    "pause": ("pause", frozenset({"ready", "wrap_up", "paused"})),
    "resume": ("resume", frozenset({"paused"})),
    "wrapup_done": ("wrapup_done", frozenset({"wrap_up"})),
}


def agent_of(request: Request) -> str:
    user = current_user(request)
    assert user is not None and user.agent_id is not None  # require("agent"): it has a 工号
    return user.agent_id


def refused(message: str, status: int = 409) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


Feed = Callable[[Event], Any]  # the ACD's input: AcdRuntime.feed


def desk_routes(desk: Desk, feed: Feed) -> list[BaseRoute]:
    @require("agent")
    async def home(request: Request) -> Response:
        agent_id = agent_of(request)
        return page(
            request,
            "desk.html",
            {
                "agent": desk.board.agent_row(agent_id),
                "agent_id": agent_id,
                "pauses": [(digit, REASON_LABELS.get(r, r)) for digit, r in PAUSE_REASONS.items()],
                **form_choices(desk.settings),
            },
        )

    @require("agent")
    async def state(request: Request) -> Response:
        body = desk.render(agent_of(request))
        return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})

    @require("agent")
    async def stream(request: Request) -> Response:
        return sse_response(request, desk.broadcast(agent_of(request)), desk.settings.web, desk.clock)

    return [
        Route("/agent", home),
        Route("/agent/state", state),
        Route("/agent/stream", stream),
        Route("/agent/button", _button(desk, feed), methods=["POST"]),
    ]


def _button(desk: Desk, feed: Feed) -> Endpoint:
    @require("agent")
    async def button(request: Request) -> Response:
        agent_id = agent_of(request)
        form = await request.form()
        name, reason = str(form.get("button", "")), str(form.get("reason", ""))
        found = BUTTONS.get(name)
        if found is None:
            return refused(f"未知操作 {name[:20]!r}", 400)
        action, states = found
        current = desk.board.acd.agent(agent_id).state
        event = code_event(agent_id, current, action, [reason] if reason else [])
        if current not in states or event is None:
            return refused(f"当前状态（{STATE_LABELS.get(current, current)}）不能执行此操作")
        try:
            feed(event[0])
        except AcdError as exc:
            log.info("desk.button_refused", agent=agent_id, button=name, reason=str(exc))
            return refused(f"当前状态（{STATE_LABELS.get(current, current)}）不能执行此操作")
        await audit_action(request, "agent_state", {"button": name, "reason": reason, "from": current})
        return JSONResponse({"state": desk.board.acd.agent(agent_id).state})

    return button
