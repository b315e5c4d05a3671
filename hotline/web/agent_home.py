"""An agent's home page after login: their own state and today's figures as the ACD and the
store have them, and the softphone's feature codes that change the state."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from acd.feature_codes import PAUSE_REASONS
from hotline.web.auth.roles import current_user, require
from hotline.web.live.board import REASON_LABELS, LiveBoard
from hotline.web.templating import page


def agent_routes(board: LiveBoard) -> list[BaseRoute]:
    @require("agent")
    async def home(request: Request) -> Response:
        user = current_user(request)
        assert user is not None and user.agent_id is not None  # require(); an agent account has a 工号
        return page(
            request,
            "agent_home.html",
            {
                "agent": board.agent_row(user.agent_id),
                "agent_id": user.agent_id,
                "pauses": [(digit, REASON_LABELS.get(r, r)) for digit, r in PAUSE_REASONS.items()],
            },
        )

    return [Route("/agent", home)]
