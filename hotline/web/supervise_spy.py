"""POST /supervise/spy (listen, whisper, barge) and GET /supervise/phone (the user's phone).

The user's phone (its `supervisors:` entry) is rung by AMI Originate and, once answered, hears
the agent's call (hotline.asterisk.spy). The answer comes when the phone was answered or not
(up to its ring time): 200 answered, 409 no answer / busy / declined, 502 Asterisk failed it.
"""

from __future__ import annotations

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from acd.supervision import spy_refusal
from hotline.asterisk.originate import Originated
from hotline.asterisk.spy import SpyAmi, place_spy, spy_action
from hotline.settings import Settings
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import require
from hotline.web.supervise_common import (
    SupervisedAcd,
    agent_of,
    form_text,
    phone_of,
    refusal_response,
    refused,
)

log = structlog.get_logger("web.supervise")
MODE_LABELS = {"listen": "监听", "whisper": "耳语", "barge": "强插"}


def placed_response(placed: Originated, agent_id: str, mode: str, phone: str) -> JSONResponse:
    if placed.result == "answered":
        return JSONResponse({"result": "answered", "message": f"已接通：{MODE_LABELS[mode]}座席{agent_id}"})
    messages = {
        "no_answer": (409, f"您的话机 {phone} 未接听"),
        "busy": (409, f"您的话机 {phone} 正忙"),
        "rejected": (409, f"您的话机 {phone} 拒绝了来电"),
    }
    status, message = messages.get(placed.result, (502, f"呼叫您的话机 {phone} 失败（{placed.reason}）"))
    return JSONResponse({"error": message, "result": placed.result}, status_code=status)


def spy_route(settings: Settings, acd: SupervisedAcd, ami: SpyAmi | None) -> Route:
    @require("supervisor", "admin")
    async def spy(request: Request) -> Response:
        form = await request.form()
        agent = agent_of(settings, form)
        if isinstance(agent, JSONResponse):
            return agent
        mode, phone = form_text(form, "mode"), phone_of(settings, request)
        if ami is None or not ami.connected.is_set():
            return refused("与 Asterisk 的连接（AMI）已断开，暂时不能监听", 503)
        registered = phone is not None and phone in ami.registered
        refusal = spy_refusal(acd.agent(agent.id), mode, phone, registered)
        if refusal is not None:
            return refusal_response(refusal, agent.id, phone)
        assert phone is not None  # spy_refusal says no_phone otherwise
        placed = await place_spy(ami, spy_action(phone=phone, agent_extension=agent.extension, mode=mode))
        log.info(
            "supervise.spy", agent=agent.id, mode=mode, phone=phone, result=placed.result, why=placed.reason
        )
        detail = {"agent_id": agent.id, "mode": mode, "phone": phone, "result": placed.result}
        await audit_action(request, "supervise_spy", {**detail, "reason": placed.reason})
        return placed_response(placed, agent.id, mode, phone)

    return Route("/supervise/spy", spy, methods=["POST"])


def phone_route(settings: Settings, ami: SpyAmi | None) -> Route:
    @require("supervisor", "admin")
    async def phone(request: Request) -> Response:
        ext = phone_of(settings, request)
        body = {
            "extension": ext,
            "registered": ext is not None and ami is not None and ext in ami.registered,
            "ami": ami is not None and ami.connected.is_set(),
        }
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return Route("/supervise/phone", phone)
