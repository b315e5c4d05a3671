"""The admin's menu page: the running menu's diagram, its YAML in an editor, "check" (the
validator's errors at their lines, the diff against the running menu) and "publish".

  GET  /admin/menu                the page (the editor holds the running menu)
  GET  /admin/menu/diagram.svg    the running menu's diagram (ivr.menu_svg)
  POST /admin/menu/check          yaml: the page again with the errors or "valid", and the diff
  POST /admin/menu/publish        yaml, base (SHA-256 of the menu the edit began from), note:
                                  published -> 303 to the page; else the editor again with why
                                  (nothing changed: file, running menu, versions)

Admins only (routes: menu_routes.py). Check and publish are form posts (CSRF token in the form);
the page works without script, menu.js adds the line numbers and marks the lines in error.
Versions and roll back: menu_versions_page.py.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hotline.services.menus import MenuConflict, MenuUnchanged
from hotline.web.menu_admin import MenuAdmin, RecordFailed
from hotline.web.menu_form import (
    BadEdit,
    LineError,
    line_errors,
    menu_bytes,
    note_field,
    parse_form,
    sha256_field,
)
from hotline.web.templating import error_page, page
from ivr.errors import MenuError

# The diagram is our own SVG (every text escaped); its <style> is its own, nothing else runs or loads.
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
STORE_DOWN = "无法读写数据库（菜单版本记录），未做任何更改，请稍后再试。"
STORE_DOWN_NOW = "暂时无法读写数据库（菜单版本记录）：可以校验，发布与回滚暂不可用。"
log = structlog.get_logger("web.menu")


def store_down(request: Request, exc: Exception) -> Response:
    log.error("web.menu_store_unavailable", path=request.url.path, error=repr(exc))
    return error_page(request, 503, "数据库暂时不可用", STORE_DOWN)


def not_recorded(request: Request, exc: RecordFailed) -> Response:
    message = f"菜单 {exc.loaded.version} 已发布并已生效，但版本记录或审计日志写入失败，请联系系统管理员。"
    return error_page(request, 500, "已发布，记录失败", message)


def editor(
    request: Request,
    admin: MenuAdmin,
    draft: str,
    base: str,
    status: int = 200,
    **extra: Any,
) -> Response:
    """The page with `draft` in the editor; `extra`: errors, checked (the draft's version),
    diff, note, notice, problem."""
    live = admin.live
    errors: list[LineError] = extra.pop("errors", [])
    context = {
        "live": live,
        "draft": draft,
        "base": base,
        "errors": errors,
        "error_lines": sorted({e.line for e in errors if e.line}),
        "line_count": max(1, len(draft.splitlines())),
        "checked": None,
        "diff": None,
        "note": "",
        "notice": None,
        "problem": None,
        "file_edited": False,
        **extra,
    }
    return page(request, "menu.html", context, status)


class MenuPage:
    def __init__(self, admin: MenuAdmin) -> None:
        self.admin = admin

    async def index(self, request: Request) -> Response:
        problem = None
        try:
            await self.admin.ensure_recorded()
        except SQLAlchemyError as exc:  # the editor still checks; publishing waits for the store
            log.warning("web.menu_store_unavailable", error=repr(exc))
            problem = STORE_DOWN_NOW
        live = self.admin.live
        published = request.query_params.get("published", "")
        notice = (
            f"已发布：现在运行的菜单是 {live.version}（版本记录 #{published}）。"
            if published.isdigit()
            else None
        )
        edited = await self.admin.file_differs()
        return editor(
            request, self.admin, live.text, live.sha256, notice=notice, problem=problem, file_edited=edited
        )

    async def diagram(self, request: Request) -> Response:
        svg = await self.admin.diagram()
        return Response(svg.encode("utf-8"), media_type="image/svg+xml", headers=SVG_HEADERS)

    async def _form(self, request: Request) -> tuple[dict[str, str], bytes]:
        fields = parse_form(request.headers.get("content-type", ""), await request.body())
        return fields, menu_bytes(fields)

    async def check(self, request: Request) -> Response:
        try:
            fields, raw = await self._form(request)
        except BadEdit as exc:
            return error_page(request, exc.status, "无法校验", exc.message)
        draft, base = raw.decode("utf-8"), fields.get("base", "")
        diff = await self.admin.diff(draft)
        try:
            checked = await self.admin.check(raw)
        except MenuError as exc:
            errors = line_errors(exc.errors, str(self.admin.menus.path))
            return editor(
                request, self.admin, draft, base, errors=errors, diff=diff, note=fields.get("note", "")
            )
        return editor(
            request, self.admin, draft, base, checked=checked.version, diff=diff, note=fields.get("note", "")
        )

    async def publish(self, request: Request) -> Response:
        try:
            fields, raw = await self._form(request)
            base, note = sha256_field(fields, "base"), note_field(fields)
        except BadEdit as exc:
            return error_page(request, exc.status, "无法发布", exc.message)
        try:
            _, row_id = await self.admin.publish(request, raw, base_sha256=base, note=note)
        except (MenuError, MenuConflict, OSError) as exc:
            return await self._refused(request, exc, raw.decode("utf-8"), base, note)
        except RecordFailed as exc:
            return not_recorded(request, exc)
        except SQLAlchemyError as exc:
            return store_down(request, exc)
        return RedirectResponse(f"/admin/menu?published={row_id}", status_code=303)

    async def _refused(
        self, request: Request, exc: Exception, draft: str, base: str, note: str | None
    ) -> Response:
        """The editor again with the draft and why it was not published (nothing changed)."""
        again: dict[str, Any] = {"diff": await self.admin.diff(draft), "note": note or ""}
        if isinstance(exc, MenuError):
            errors = line_errors(exc.errors, str(self.admin.menus.path))
            return editor(request, self.admin, draft, base, 422, errors=errors, **again)
        if isinstance(exc, MenuConflict):
            return editor(request, self.admin, draft, base, 409, problem=conflict_message(exc), **again)
        assert isinstance(exc, OSError)
        problem = f"无法写入菜单文件（{exc.strerror or exc}），未做任何更改。"
        return editor(request, self.admin, draft, base, 503, problem=problem, **again)


def conflict_message(exc: MenuConflict) -> str:
    if isinstance(exc, MenuUnchanged):
        return "内容与运行中的菜单完全相同，无需发布，未做任何更改。"
    return (
        "在您编辑期间运行中的菜单已被更换（他人发布、回滚或服务器重新加载），未做任何更改。"
        "请重新打开编辑器后再修改。"
    )
