"""POST /supervise/peak (supervisors and admins): peak mode switched by hand from the wallboard.

The same flag file as `hotline peak on|off` (hotline.services.peak_mode.switch), holding the
supervisor's reason, which the wallboard's alert then shows. The file is written in the offload
pool (never on the calls' event loop); peak mode is checked again at once, so the alert and the
live event go out now rather than at the next call. Switching off by hand leaves peak mode on
while a wide outage notice keeps it on automatically: the answer says so.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hotline.config_text import control_char
from hotline.services.peak_mode import NOTE_MAX, switch
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import require
from hotline.web.deps import WebDeps

log = structlog.get_logger("web.supervise")


class PeakSwitch(Protocol):
    """What the switch needs of peak mode (hotline.services.peak_mode.PeakMode)."""

    flag: Path

    async def check(self) -> str | None: ...


def _bad_input(state: str, reason: str) -> str | None:
    if state not in ("on", "off"):
        return "state 只能是 on（开启）或 off（关闭）"
    if not reason:
        return "请填写切换高峰模式的原因"
    if len(reason) > NOTE_MAX or control_char(reason) is not None:
        return f"原因只能是一行，最多 {NOTE_MAX} 个字"
    return None


def peak_route(deps: WebDeps, peak: PeakSwitch) -> Route:
    @require("supervisor", "admin")
    async def peak_switch(request: Request) -> Response:
        form = await request.form()
        state, reason = (
            str(v).strip() if isinstance(v := form.get(k), str) else "" for k in ("state", "reason")
        )
        bad = _bad_input(state, reason)
        if bad is not None:
            return JSONResponse({"error": bad}, status_code=400)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(deps.offload, switch, peak.flag, state == "on", reason)
        except OSError as exc:
            log.error("supervise.peak_failed", state=state, flag=str(peak.flag), error=str(exc))
            return JSONResponse(
                {"error": f"无法{'开启' if state == 'on' else '关闭'}高峰模式：标志文件写入失败"},
                status_code=500,
            )
        active = await peak.check()
        log.info("supervise.peak", state=state, reason=reason, active=active)
        await audit_action(request, "supervise_peak", {"state": state, "reason": reason, "active": active})
        body: dict[str, object] = {"active": active is not None, "reason": active}
        if active is None:
            body["message"] = "高峰模式已关闭"
        elif state == "off":
            body["message"] = f"手动高峰模式已关闭，但自动高峰模式仍开启：{active}"
        else:
            body["message"] = f"高峰模式已开启：{active}"
        return JSONResponse(body)

    return Route("/supervise/peak", peak_switch, methods=["POST"])
