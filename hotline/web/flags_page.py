"""The harassment numbers page (supervisor, admin; seed 000 §27): the flags in force and the
recent history, and clearing a flag.

  GET  /flags          the flagged numbers (in force, then the recently cleared), local time
  POST /flags/clear    form: number (+ csrf_token, checked by the session middleware); clears the
                       number's flag, audited as `flag_clear`, then back to /flags (303)

Agents flag a caller from the desk (hotline.harassment.flags.flag_number); only a supervisor or
an admin clears. Numbers are shown in full: this is a supervisor's own screen (the wallboard,
seen by the whole room, masks them), and a supervisor must read out the number to report it or
to check it with the caller. A bad number answers 400 with the reason, a store that cannot be
read or written 503; neither changes anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.harassment.flags import Flag, HarassmentError, clear_flag, list_flags
from hotline.selfservice.local_time import LOCAL_TZ
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import current_user, require
from hotline.web.deps import WebDeps
from hotline.web.templating import error_page, page

log = structlog.get_logger("web.flags")
HISTORY = 200  # the most recent flags looked at for the cleared list


def _local(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def _row(f: Flag) -> dict[str, Any]:
    return {
        "number": f.number,
        "reason": f.reason,
        "flagged_at": _local(f.flagged_at),
        "flagged_by": f.flagged_by,
        "call": f.call_uniqueid or "",
        "cleared_at": _local(f.cleared_at),
        "cleared_by": f.cleared_by or "",
    }


def _unavailable(request: Request, exc: Exception) -> Response:
    log.error("web.flags_failed", path=request.url.path, error=repr(exc))
    return error_page(request, 503, "暂时无法处理", "读写骚扰号码记录失败，请稍后再试或联系管理员。")


class _FlagsPage:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    async def index(self, request: Request) -> Response:
        try:
            active = await list_flags(self.deps.engine)
            recent = await list_flags(self.deps.engine, include_cleared=True, limit=HISTORY)
        except (SQLAlchemyError, OSError) as exc:
            return _unavailable(request, exc)
        cleared = [_row(f) for f in recent if not f.active]
        return page(request, "flags.html", {"active": [_row(f) for f in active], "cleared": cleared})

    async def clear(self, request: Request) -> Response:
        user = current_user(request)
        assert user is not None  # require()
        form = await request.form()
        number = form.get("number")
        if not isinstance(number, str):
            return error_page(request, 400, "参数错误", "缺少要解除标记的号码。")
        try:
            cleared = await clear_flag(self.deps.engine, number, user.username, self.deps.clock())
            if cleared:
                detail = {"number": cleared[0].number, "flags": [f.id for f in cleared]}
                await audit_action(request, "flag_clear", detail)
        except HarassmentError as exc:
            return error_page(request, 400, "参数错误", str(exc))
        except (SQLAlchemyError, OSError) as exc:
            return _unavailable(request, exc)
        return RedirectResponse("/flags", status_code=303)


def flag_routes(deps: WebDeps) -> list[BaseRoute]:
    """The routes of the harassment numbers page, each for supervisors and admins only."""
    pages = _FlagsPage(deps)
    allowed = require("supervisor", "admin")
    return [
        Route("/flags", allowed(pages.index), methods=["GET"], name="flags"),
        Route("/flags/clear", allowed(pages.clear), methods=["POST"], name="flags_clear"),
    ]
