"""The menu's versions (admins): the list (who, when, hash), one version with its diff against
the running menu, and one-click roll back.

  GET  /admin/menu/versions               the newest versions, newest first
  GET  /admin/menu/version?id=N           its YAML and its diff against the running menu
  POST /admin/menu/rollback               id, sha256 (of that version, as the list showed it):
                                          publish its text again -> 303 to the list

A roll back is a publication (menu_admin.MenuAdmin.publish): checked again first (the prompts
may have changed since), recorded as a new version naming the one it restored, audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hotline.reports.period import DEFAULT_TZ, zone
from hotline.services import menu_history
from hotline.services.menu_history import MenuVersion
from hotline.services.menus import MenuConflict
from hotline.web.menu_admin import MenuAdmin, RecordFailed
from hotline.web.menu_form import BadEdit, id_field, line_errors, parse_form, sha256_field
from hotline.web.menu_page import conflict_message, editor, not_recorded, store_down
from hotline.web.templating import error_page, page
from ivr.errors import MenuError

CENTER_TZ = zone(DEFAULT_TZ)
BY_LABELS = {
    menu_history.BY_RELOAD: "服务器重新加载（hotline menu reload / SIGHUP）",
    menu_history.BY_FOUND: "已在运行（首次记录）",
}


def local_time(at: datetime) -> str:
    return at.astimezone(CENTER_TZ).strftime("%Y-%m-%d %H:%M:%S")


def by_label(v: MenuVersion) -> str:
    return BY_LABELS.get(v.published_by, v.published_by)


class VersionPages:
    def __init__(self, admin: MenuAdmin) -> None:
        self.admin = admin

    @property
    def _engine(self) -> AsyncEngine:
        return self.admin.deps.engine

    async def index(self, request: Request) -> Response:
        try:
            await self.admin.ensure_recorded()
            rows = await menu_history.versions(self._engine)
        except SQLAlchemyError as exc:
            return store_down(request, exc)
        done = request.query_params.get("rolled_back", "")
        notice = (
            f"已回滚：现在运行的菜单是 {self.admin.live.version}（版本记录 #{done}）。"
            if done.isdigit()
            else None
        )
        context = {
            "live": self.admin.live,
            "rows": rows,
            "live_id": rows[0].id if rows and rows[0].sha256 == self.admin.live.sha256 else None,
            "local_time": local_time,
            "by_label": by_label,
            "limit": menu_history.LIST_LIMIT,
            "notice": notice,
        }
        return page(request, "menu_versions.html", context)

    async def show(self, request: Request) -> Response:
        try:
            version_id = id_field(dict(request.query_params))
        except BadEdit as exc:
            return error_page(request, exc.status, "参数错误", exc.message)
        try:
            found = await menu_history.version_text(self._engine, version_id)
        except SQLAlchemyError as exc:
            return store_down(request, exc)
        if found is None:
            return error_page(request, 404, "没有这个版本", f"没有编号为 {version_id} 的菜单版本。")
        row, text = found
        context = {
            "live": self.admin.live,
            "row": row,
            "text": text,
            "diff": await self.admin.diff(text),
            "when": local_time(row.published_at),
            "by": by_label(row),
        }
        return page(request, "menu_version.html", context)

    async def rollback(self, request: Request) -> Response:
        try:
            fields = parse_form(request.headers.get("content-type", ""), await request.body())
            version_id, sha = id_field(fields), sha256_field(fields, "sha256")
        except BadEdit as exc:
            return error_page(request, exc.status, "无法回滚", exc.message)
        try:
            found = await menu_history.version_text(self._engine, version_id)
        except SQLAlchemyError as exc:
            return store_down(request, exc)
        if found is None:
            return error_page(request, 404, "没有这个版本", f"没有编号为 {version_id} 的菜单版本。")
        row, text = found
        if row.sha256 != sha:
            return error_page(
                request, 409, "无法回滚", "版本内容与页面显示的不一致，未做任何更改。请刷新页面。"
            )
        return await self._publish(request, row, text)

    async def _publish(self, request: Request, row: MenuVersion, text: str) -> Response:
        note = f"回滚到版本记录 #{row.id}（{row.version}）"
        try:
            _, new_id = await self.admin.publish(
                request, text.encode("utf-8"), base_sha256=None, note=note, rolled_back_from=row.id
            )
        except MenuError as exc:
            errors = line_errors(exc.errors, str(self.admin.menus.path))
            problem = (
                f"版本记录 #{row.id} 已无法通过校验（例如提示音已变更），未做任何更改。可在下方修改后发布。"
            )
            live = self.admin.live
            diff = await self.admin.diff(text)
            return editor(
                request, self.admin, text, live.sha256, 422, errors=errors, problem=problem, diff=diff
            )
        except MenuConflict as exc:
            return error_page(request, 409, "无需回滚", conflict_message(exc))
        except OSError as exc:
            return error_page(
                request, 503, "无法回滚", f"无法写入菜单文件（{exc.strerror or exc}），未做任何更改。"
            )
        except RecordFailed as exc:
            return not_recorded(request, exc)
        except SQLAlchemyError as exc:
            return store_down(request, exc)
        return RedirectResponse(f"/admin/menu/versions?rolled_back={new_id}", status_code=303)
