"""POST /supervise/agent: a supervisor force-pauses (reason "supervisor") or logs out an agent.

The ACD gets the same AgentPause / AgentLogout the agent's feature codes feed
(`acd.supervision.force_event` decides; the ACD checks it again); the change reaches the
wallboard and the agent's desk as the ACD's agent_state event.
"""

from __future__ import annotations

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from acd.rules import AcdError
from acd.supervision import Refusal, force_event
from hotline.settings import Settings
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import require
from hotline.web.supervise_common import SupervisedAcd, agent_of, form_text, refusal_response

log = structlog.get_logger("web.supervise")
ACTION_LABELS = {"pause": "强制暂停", "logout": "强制签出"}


def agent_route(settings: Settings, acd: SupervisedAcd) -> Route:
    @require("supervisor", "admin")
    async def force(request: Request) -> Response:
        form = await request.form()
        agent = agent_of(settings, form)
        if isinstance(agent, JSONResponse):
            return agent
        action, view = form_text(form, "action"), acd.agent(agent.id)
        found = force_event(view, action)
        if isinstance(found, Refusal):
            return refusal_response(found, agent.id, None)
        try:
            acd.feed(found)
        except AcdError as exc:  # the state changed since the view was read: nothing happened
            log.info("supervise.force_refused", agent=agent.id, action=action, reason=str(exc))
            return refusal_response(Refusal("state", acd.agent(agent.id).state), agent.id, None)
        log.info("supervise.force", agent=agent.id, action=action, before=view.state)
        detail = {"agent_id": agent.id, "action": action, "from": view.state}
        await audit_action(request, "supervise_agent", detail)
        state = acd.agent(agent.id).state
        return JSONResponse({"state": state, "message": f"座席{agent.id}已{ACTION_LABELS[action]}"})

    return Route("/supervise/agent", force, methods=["POST"])
