"""The console's Jinja2 templates (autoescaped: a caller's display name is text, never markup) and
`page()`, which gives every page what base.html needs: the user, the CSRF token, the company."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

ROLE_LABELS = {"agent": "座席", "supervisor": "班长", "admin": "管理员"}

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
templates = Jinja2Templates(env=_env)


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    state = request.state
    base = {
        "user": getattr(state, "user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "company": request.app.state.company,
        "role_labels": ROLE_LABELS,
    }
    return templates.TemplateResponse(request, name, {**base, **(context or {})}, status_code=status)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return page(request, "error.html", {"title": title, "message": message}, status)
