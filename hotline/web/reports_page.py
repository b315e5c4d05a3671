"""The reports page (supervisor, admin): day / month / year pickers, the HTML report, CSV and JSON.

  GET /reports                                   the pickers (today / this month / this year in
                                                 the center's zone; ?kind=&value= pre-fills one)
  GET /reports/view?kind=day&value=2026-12-02    the report page of `hotline report --format html`,
                                                 served as it is with a bar linking back
  GET /reports/download?kind=&value=&format=csv  `hotline report --format csv|json`, as a file

The center's zone is `hotline report`'s default (Asia/Shanghai, DEFAULT_TZ). Every report is
built off the event loop (report_offload.py). A bad parameter answers 400 with a Chinese message.
"""

from __future__ import annotations

from urllib.parse import urlencode

import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.reports.period import DEFAULT_TZ, Period, zone
from hotline.web.auth.roles import require
from hotline.web.deps import WebDeps
from hotline.web.report_offload import render_report
from hotline.web.report_params import (
    FORMATS,
    KINDS,
    BadReportRequest,
    content_disposition,
    parse_format,
    parse_report_period,
    picker_defaults,
)
from hotline.web.templating import error_page, page, templates

log = structlog.get_logger("web.reports")
CENTER_TZ = zone(DEFAULT_TZ)
# The report is our own page (every stored text escaped, no script, nothing fetched): the policy
# keeps it that way even if that ever changed.
REPORT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _query(period: Period, **extra: str) -> str:
    return urlencode({"kind": period.kind, "value": period.label, **extra})


def with_back_bar(report_html: str, period: Period) -> str:
    """The report page with the console's bar (back to the pickers, downloads) opening its body."""
    head, body_tag, rest = report_html.partition("<body>")
    if not body_tag:
        raise ValueError("the report page has no <body> to put the back link in")
    bar = templates.get_template("report_bar.html").render(
        back=f"/reports?{_query(period)}",
        downloads=[(f.upper(), f"/reports/download?{_query(period, format=f)}") for f in FORMATS],
    )
    return head + body_tag + bar + rest


def _unavailable(request: Request, exc: Exception) -> HTMLResponse:
    log.error("web.report_failed", path=request.url.path, query=request.url.query, error=repr(exc))
    return error_page(request, 503, "报表暂时无法生成", "读取话务数据失败，请稍后再试或联系管理员。")


class _ReportsPage:
    def __init__(self, deps: WebDeps) -> None:
        self.deps = deps

    async def index(self, request: Request) -> Response:
        values = picker_defaults(self.deps.clock(), CENTER_TZ)
        q = request.query_params
        try:  # back from a report: its picker shows that report's period
            chosen = parse_report_period(q.get("kind"), q.get("value"), CENTER_TZ)
            values[chosen.kind] = chosen.label
        except BadReportRequest:
            pass
        return page(request, "reports.html", {"values": values, "kinds": KINDS, "tz": CENTER_TZ.key})

    async def view(self, request: Request) -> Response:
        q = request.query_params
        try:
            period = parse_report_period(q.get("kind"), q.get("value"), CENTER_TZ)
        except BadReportRequest as exc:
            return error_page(request, 400, "参数错误", str(exc))
        try:
            html = await render_report(self.deps, period, "html")
        except (SQLAlchemyError, OSError) as exc:
            return _unavailable(request, exc)
        return HTMLResponse(with_back_bar(html, period), headers=REPORT_HEADERS)

    async def download(self, request: Request) -> Response:
        q = request.query_params
        try:
            period = parse_report_period(q.get("kind"), q.get("value"), CENTER_TZ)
            fmt = parse_format(q.get("format"))
        except BadReportRequest as exc:
            return error_page(request, 400, "参数错误", str(exc))
        try:
            text = await render_report(self.deps, period, fmt)
        except (SQLAlchemyError, OSError) as exc:
            return _unavailable(request, exc)
        headers = {
            "Content-Disposition": content_disposition(self.deps.settings.company, period, fmt),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
        return Response(text.encode("utf-8"), media_type=FORMATS[fmt], headers=headers)


def report_routes(deps: WebDeps) -> list[BaseRoute]:
    """The routes of the reports page, each for supervisors and admins only."""
    pages = _ReportsPage(deps)
    allowed = require("supervisor", "admin")
    return [
        Route("/reports", allowed(pages.index), methods=["GET"], name="reports"),
        Route("/reports/view", allowed(pages.view), methods=["GET"], name="reports_view"),
        Route("/reports/download", allowed(pages.download), methods=["GET"], name="reports_download"),
    ]
