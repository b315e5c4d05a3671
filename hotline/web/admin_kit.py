"""What the admin pages (prompts, self-service data, outbound) share: running blocking work in the
offload pool, reading form fields, the refusal page, the redirect after a change.

A change is a POST answered with 303 to its page (`?done=<code>`, a fixed message of that page:
nothing the user typed is echoed through the URL); a refused change answers 400 with the reason
and changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from hotline.selfservice.local_time import to_local
from hotline.web.deps import WebDeps
from hotline.web.templating import page

T = TypeVar("T")
FIELD_MAX = 2000  # characters of one text field


class BadForm(ValueError):
    """A form that cannot be acted on; the message (Chinese) says why."""


async def offload(deps: WebDeps, fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the console's offload pool: the event loop carries live calls."""
    return await asyncio.get_running_loop().run_in_executor(deps.offload, fn, *args)


def text_field(form: FormData, name: str, label: str, *, required: bool = True, max_len: int = 200) -> str:
    """The stripped text of field `name`; BadForm if missing (when required), too long or not text."""
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadForm(f"请填写{label}。")
        return ""
    if not isinstance(value, str):
        raise BadForm(f"{label}应为文字。")
    value = value.strip()
    if len(value) > min(max_len, FIELD_MAX):
        raise BadForm(f"{label}过长（最多 {max_len} 个字符）。")
    if any(not ch.isprintable() for ch in value):
        raise BadForm(f"{label}含有控制字符。")
    return value


def int_field(form: FormData, name: str, label: str) -> int:
    text = text_field(form, name, label, max_len=18)
    if not text.isdigit():
        raise BadForm(f"{label}应为数字。")
    return int(text)


def upload_field(form: FormData, name: str, label: str) -> UploadFile:
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        raise BadForm(f"请选择要上传的{label}。")
    return value


def refused(
    request: Request,
    message: str,
    back: str,
    *,
    title: str = "未做任何更改",
    lines: Iterable[str] = (),
    status: int = 400,
) -> HTMLResponse:
    """400 (or `status`): the reason, the offending lines if any, a link back to `back` (a fixed path)."""
    ctx = {"title": title, "message": message, "lines": list(lines), "back": back}
    return page(request, "admin_refused.html", ctx, status)


def not_found(request: Request, message: str, back: str) -> HTMLResponse:
    return refused(request, message, back, title="未找到", status=404)


def local_text(value: datetime) -> str:
    """A stored (UTC) time in the call center's time, to the minute."""
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def done(path: str, code: str, *, n: int | None = None) -> RedirectResponse:
    """303 to `path` saying `code` happened (`n`: a count the page may show)."""
    count = "" if n is None else f"&n={int(n)}"
    return RedirectResponse(f"{path}?done={code}{count}", status_code=303)


def done_count(request: Request) -> int | None:
    text = request.query_params.get("n", "")
    return int(text) if text.isdigit() and len(text) < 10 else None


def done_message(request: Request, messages: Mapping[str, str]) -> str | None:
    """The message of this page's `?done=` code (unknown codes show nothing)."""
    return messages.get(request.query_params.get("done", ""))
