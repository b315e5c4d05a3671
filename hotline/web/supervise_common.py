"""What the live supervision routes share: the ACD they act on, reading the form, the agent a
request names (from the config only), the user's phone, and the refusals' messages."""

from __future__ import annotations

from typing import Protocol

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse

from acd.agents import AgentView
from acd.events import Event
from acd.supervision import Refusal
from hotline.settings import Agent, Settings
from hotline.web.auth.roles import current_user
from hotline.web.live.board import STATE_LABELS


class SupervisedAcd(Protocol):
    """What supervision needs of the ACD (hotline.services.acd_driver.AcdRuntime)."""

    def agent(self, agent_id: str) -> AgentView: ...
    def feed(self, event: Event) -> None: ...


def refused(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def form_text(form: FormData, name: str) -> str:
    """A form field's text, stripped ("" when absent or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def agent_of(settings: Settings, form: FormData) -> Agent | JSONResponse:
    """The configured agent the form's `agent_id` names (the request's text goes no further), or
    the refusal: 400 without one, 404 for an unknown 工号."""
    agent_id = form_text(form, "agent_id")
    if not agent_id:
        return refused("缺少工号", 400)
    agent = next((a for a in settings.agents if a.id == agent_id), None)
    return agent if agent is not None else refused("未知工号", 404)


def phone_of(settings: Settings, request: Request) -> str | None:
    """The extension of the logged-in user's phone (`supervisors:`), None if it has none."""
    user = current_user(request)
    found = settings.supervisor_for(user.username) if user is not None else None
    return found.extension if found is not None else None


def _state(state: str | None) -> str:
    return STATE_LABELS.get(state or "", state or "")


def refusal_response(refusal: Refusal, agent_id: str, phone: str | None) -> JSONResponse:
    messages = {
        "unknown_mode": (400, "监听方式只能是 listen（监听）、whisper（耳语）或 barge（强插）"),
        "unknown_action": (400, "操作只能是 pause（强制暂停）或 logout（强制签出）"),
        "no_phone": (409, "您的账号没有配置监听话机（配置文件 supervisors:），无法监听"),
        "not_talking": (409, f"座席{agent_id}当前{_state(refusal.state)}，没有可监听的通话"),
        "phone_unregistered": (409, f"您的监听话机 {phone} 未注册，请先登录话机"),
        "state": (409, f"座席{agent_id}当前状态（{_state(refusal.state)}）不能执行此操作"),
    }
    status, message = messages[refusal.code]
    return refused(message, status)
