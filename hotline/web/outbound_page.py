"""The outbound pages (admins): the dialer's jobs and their attempts, cancelling a job, and the
do-not-call list, through the store functions of `hotline outbound` (hotline.dialer.store).

  GET  /admin/outbound[?status=&purpose=]   the newest jobs, filtered
  GET  /admin/outbound/job?id=JOB           one job with every attempt (time, content, result)
  POST /admin/outbound/cancel               job_id: a pending job cancelled (a call being dialled
                                            finishes)
  GET  /admin/outbound/dnc[?number=]        the do-not-call list (or one number's entry)
  POST /admin/outbound/dnc/add              number, reason: never called again (its pending
                                            jobs end as `dnc` when they fall due)
  POST /admin/outbound/dnc/remove           number

Numbers go through hotline.phone_number (national form); anything that is not a phone number is
refused. `dialer_changed` (OutboundRuntime.poll_soon) makes the daemon's dialer read the change at
once rather than at its next poll.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from hotline.dialer import admin_queries, store
from hotline.dialer.jobs import PURPOSE_NAMES
from hotline.dialer.models import JOB_STATUSES
from hotline.phone_number import PhoneNumberError, normalise
from hotline.web.admin_kit import BadForm, done, done_message, local_text, not_found, refused, text_field
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import current_user, require
from hotline.web.deps import WebDeps
from hotline.web.templating import page

BASE = "/admin/outbound"
DNC = f"{BASE}/dnc"
STATUS_LABELS = {
    "pending": "待拨打",
    "in_progress": "拨打中",
    "done": "已完成",
    "given_up": "已放弃",
    "cancelled": "已取消",
}
RESULT_LABELS = {
    "answered": "已接听",
    "busy": "忙线",
    "no_answer": "无人接听",
    "rejected": "拒接",
    "failed": "失败",
    "out_of_window": "不在外呼时段",
    "dnc": "免打扰",
}
DONE = {
    "cancelled": "外呼任务已取消。",
    "dnc_added": "号码已加入免打扰名单，今后不会再外呼该号码。",
    "dnc_known": "号码已在免打扰名单中，未做更改。",
    "dnc_removed": "号码已移出免打扰名单。",
}
JOB_ID = re.compile(r"[0-9A-Za-z_-]{1,32}")
assert set(STATUS_LABELS) == set(JOB_STATUSES)


def _number(form_value: str) -> str:
    try:
        return normalise(form_value, "号码")
    except PhoneNumberError:
        raise BadForm(
            f"“{form_value}”不是有效的电话号码（只能包含数字、空格、-、括号和开头的 +86）。"
        ) from None


class _OutboundPages:
    def __init__(self, deps: WebDeps, dialer_changed: Callable[[], None] | None) -> None:
        self.deps = deps
        self.dialer_changed = dialer_changed or (lambda: None)

    async def jobs(self, request: Request) -> Response:
        q = request.query_params
        status = q.get("status") if q.get("status") in STATUS_LABELS else None
        purpose = q.get("purpose") if q.get("purpose") in PURPOSE_NAMES else None
        rows = await admin_queries.find_jobs(self.deps.engine, status=status, purpose=purpose)
        ctx = {
            "jobs": rows,
            "counts": await admin_queries.job_counts(self.deps.engine),
            "status": status,
            "purpose": purpose,
            "statuses": STATUS_LABELS,
            "purposes": PURPOSE_NAMES,
            "shown": admin_queries.JOBS_SHOWN,
            "done": done_message(request, DONE),
            "local": local_text,
        }
        return page(request, "admin_outbound.html", ctx)

    async def job(self, request: Request) -> Response:
        job_id = request.query_params.get("id", "")
        row = await admin_queries.job(self.deps.engine, job_id) if JOB_ID.fullmatch(job_id) else None
        if row is None:
            return not_found(request, "没有这个外呼任务。", BASE)
        ctx = {
            "job": row,
            "attempts": await store.attempts_of(self.deps.engine, row.id),
            "statuses": STATUS_LABELS,
            "purposes": PURPOSE_NAMES,
            "results": RESULT_LABELS,
            "local": local_text,
        }
        return page(request, "admin_outbound_job.html", ctx)

    async def cancel(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                job_id = text_field(form, "job_id", "任务编号", max_len=32)
            except BadForm as exc:
                return refused(request, str(exc), BASE)
        user = current_user(request)
        reason = f"cancelled in the console by {user.username if user else '?'}"
        if not JOB_ID.fullmatch(job_id) or not await store.cancel_job(
            self.deps.engine, job_id, reason, self.deps.clock()
        ):
            return refused(request, "没有这个待拨打的任务（已在拨打或已结束的任务不能取消）。", BASE)
        self.dialer_changed()
        await audit_action(request, "outbound_cancel", {"job_id": job_id})
        return done(BASE, "cancelled")

    async def dnc(self, request: Request) -> Response:
        wanted = request.query_params.get("number", "").strip()
        try:
            number = _number(wanted) if wanted else None
        except BadForm as exc:
            return refused(request, str(exc), DNC)
        ctx = {
            "entries": await admin_queries.dnc_entries(self.deps.engine, number=number),
            "count": await admin_queries.dnc_count(self.deps.engine),
            "number": number,
            "shown": admin_queries.DNC_SHOWN,
            "done": done_message(request, DONE),
            "local": local_text,
        }
        return page(request, "admin_dnc.html", ctx)

    async def dnc_add(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                number = _number(text_field(form, "number", "号码", max_len=40))
                reason = text_field(form, "reason", "原因", max_len=200)
            except BadForm as exc:
                return refused(request, str(exc), DNC)
        if await admin_queries.dnc_entries(self.deps.engine, number=number):
            return done(DNC, "dnc_known")
        await store.dnc_add(self.deps.engine, number, reason, self.deps.clock())
        self.dialer_changed()
        await audit_action(request, "dnc_add", {"number": number, "reason": reason})
        return done(DNC, "dnc_added")

    async def dnc_remove(self, request: Request) -> Response:
        async with request.form() as form:
            try:
                number = _number(text_field(form, "number", "号码", max_len=40))
            except BadForm as exc:
                return refused(request, str(exc), DNC)
        if not await store.dnc_remove(self.deps.engine, number):
            return refused(request, f"{number} 不在免打扰名单中。", DNC)
        self.dialer_changed()
        await audit_action(request, "dnc_remove", {"number": number})
        return done(DNC, "dnc_removed")


def outbound_routes(deps: WebDeps, *, dialer_changed: Callable[[], None] | None = None) -> list[BaseRoute]:
    """The outbound pages, for admins. `dialer_changed`: the daemon's OutboundRuntime.poll_soon."""
    pages = _OutboundPages(deps, dialer_changed)
    admin = require("admin")
    return [
        Route(BASE, admin(pages.jobs), methods=["GET"], name="admin_outbound"),
        Route(f"{BASE}/job", admin(pages.job), methods=["GET"], name="admin_outbound_job"),
        Route(f"{BASE}/cancel", admin(pages.cancel), methods=["POST"], name="admin_outbound_cancel"),
        Route(DNC, admin(pages.dnc), methods=["GET"], name="admin_dnc"),
        Route(f"{DNC}/add", admin(pages.dnc_add), methods=["POST"], name="admin_dnc_add"),
        Route(f"{DNC}/remove", admin(pages.dnc_remove), methods=["POST"], name="admin_dnc_remove"),
    ]
