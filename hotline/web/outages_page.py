"""The outage notices page (admins): planned outages and known faults, listed, added, edited,
cancelled, through the store functions the CLI uses (hotline.selfservice.notices, queries,
notice_changes). The IVR, the fallback and the agents' screen read the table directly.

  GET  /admin/outages[?all=1]   notices not ended nor cancelled (all=1: every notice)
  POST /admin/outages/add       kind, area_code, area_name, towns, starts_at, ends_at, reason
  POST /admin/outages/edit      id + the same fields (see notice_changes: in place, or replaced)
  POST /admin/outages/cancel    id

Outbound notice calls follow as for `hotline outage add`: the daemon's dialer calls the area of a
new planned notice; `dialer_changed` (OutboundRuntime.poll_soon in the daemon) makes it look now
rather than at its next poll, and likewise see the calls an edit or a cancel withdrew.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from hotline.selfservice.notice_changes import NoticeGone, cancel_notice, edit_notice
from hotline.selfservice.notices import NoticeError, add_notice
from hotline.selfservice.queries import HORIZON, list_notices
from hotline.web.admin_kit import BadForm, done, done_message, int_field, local_text, refused
from hotline.web.auth.audit import audit_action
from hotline.web.deps import WebDeps
from hotline.web.notice_form import KIND_LABELS, local_input, notice_detail, notice_fields
from hotline.web.templating import page

BASE = "/admin/outages"
DONE = {
    "added": "停电通知已发布。",
    "added_late": "停电通知已发布。注意：计划停电应至少提前 7 天发布；外呼通知将立即开始，"
    "并标记为晚于提前通知期。",
    "edited": "停电通知已修改。",
    "replaced": "停电通知已修改：类型、地区或时间有变，已作为新通知重新发布；"
    "原通知未拨打的外呼已取消，将按新时间重新通知。",
    "cancelled": "停电通知已取消，未拨打的外呼通知已取消。",
}
GONE = "没有这个通知，或它已结束、已取消（历史记录不可更改）。"


class OutagesPage:
    def __init__(self, deps: WebDeps, dialer_changed: Callable[[], None] | None) -> None:
        self.deps = deps
        self.dialer_changed = dialer_changed or (lambda: None)

    async def index(self, request: Request) -> Response:
        show_all = request.query_params.get("all") == "1"
        now = self.deps.clock()
        notices = await list_notices(
            self.deps.engine, now=None if show_all else now, include_cancelled=show_all
        )
        ctx = {
            "notices": notices,
            "show_all": show_all,
            "now": now,
            "kinds": KIND_LABELS,
            "done": done_message(request, DONE),
            "local": local_text,
            "local_input": local_input,
        }
        return page(request, "admin_outages.html", ctx)

    async def add(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                fields = notice_fields(form)
            except BadForm as exc:
                return refused(request, str(exc), BASE)
        now = self.deps.clock()
        try:
            notice = await add_notice(self.deps.engine, **fields.store_args(), now=now)
        except NoticeError as exc:
            return refused(request, f"通知无法发布：{exc}", BASE)
        self.dialer_changed()
        await audit_action(request, "notice_add", notice_detail(notice))
        late = notice.kind == "planned" and notice.starts_at < now + HORIZON
        return done(BASE, "added_late" if late else "added")

    async def edit(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                notice_id = int_field(form, "id", "通知编号")
                fields = notice_fields(form)
            except BadForm as exc:
                return refused(request, str(exc), BASE)
        try:
            change = await edit_notice(
                self.deps.engine, notice_id, **fields.store_args(), now=self.deps.clock()
            )
        except NoticeGone:
            return refused(request, GONE, BASE)
        except NoticeError as exc:
            return refused(request, f"通知无法修改：{exc}", BASE)
        assert change.after is not None
        if change.replaced:
            self.dialer_changed()
        detail: dict[str, object] = {
            "before": notice_detail(change.before),
            "after": notice_detail(change.after),
        }
        detail |= {"replaced": change.replaced, "calls_cancelled": change.calls_cancelled}
        await audit_action(request, "notice_edit", detail)
        return done(BASE, "replaced" if change.replaced else "edited")

    async def cancel(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                notice_id = int_field(form, "id", "通知编号")
            except BadForm as exc:
                return refused(request, str(exc), BASE)
        try:
            change = await cancel_notice(self.deps.engine, notice_id, now=self.deps.clock())
        except NoticeGone:
            return refused(request, GONE, BASE)
        self.dialer_changed()
        detail = {"notice": notice_detail(change.before), "calls_cancelled": change.calls_cancelled}
        await audit_action(request, "notice_cancel", detail)
        return done(BASE, "cancelled")
