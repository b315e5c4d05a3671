"""The quality pages (supervisors and admins):

  GET  /quality?week=2026-W48     the week's drawn calls by agent (default: last week, local time)
  POST /quality/draw              draw an ended week (once; form field `week`)
  GET  /quality/reviews/{id}      one drawn call: its recording and the checklist to score
  POST /quality/reviews/{id}      save the scores (every item, 0..its maximum, and a comment)

Every change is CSRF-checked by the auth middleware and written to the audit log. A bad form
changes nothing and answers 400 with the reason in Chinese.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.quality.draw import BadWeek, has_ended, last_ended_week, monday_of, shift
from hotline.quality.scoring import BadScore, score_form
from hotline.quality.store import Review, draw_week, get_review, save_review, week_reviews
from hotline.reports.period import DEFAULT_TZ, zone
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import current_user, require
from hotline.web.deps import WebDeps
from hotline.web.quality.views import agent_groups, review_view
from hotline.web.templating import error_page, page


def _fields(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


class _QualityPages:
    def __init__(self, deps: WebDeps, tz: ZoneInfo) -> None:
        self.deps, self.tz = deps, tz
        self.quality = deps.settings.quality
        self.agents = {a.id: a.name for a in deps.settings.agents}

    async def index(self, request: Request) -> Response:
        week = request.query_params.get("week") or last_ended_week(self.deps.clock(), self.tz)
        try:
            monday = monday_of(week)
        except BadWeek as exc:
            return error_page(request, 400, "参数错误", str(exc))
        reviews = await week_reviews(self.deps.engine, week)
        context = {
            "week": week,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "prev": shift(week, -1),
            "next": shift(week, 1),
            "ended": has_ended(week, self.deps.clock(), self.tz),
            "groups": agent_groups(reviews, self.agents, self.tz),
            "per_agent": self.quality.calls_per_agent,
        }
        return page(request, "quality.html", context)

    async def draw(self, request: Request) -> Response:
        week = _fields(await request.form()).get("week", "")
        try:
            monday_of(week)
        except BadWeek as exc:
            return error_page(request, 400, "参数错误", str(exc))
        now = self.deps.clock()
        if not has_ended(week, now, self.tz):
            return error_page(request, 400, "参数错误", f"{week} 尚未结束，结束后才能抽取。")
        drawn = await draw_week(self.deps.engine, week, self.quality.calls_per_agent, now, self.tz)
        if drawn:
            await audit_action(request, "quality_draw", {"week": week, "calls": drawn})
        return RedirectResponse(f"/quality?week={week}", status_code=303)

    def _review_page(self, request: Request, review: Review, error: str = "", status: int = 200) -> Response:
        context: dict[str, Any] = {
            "review": review_view(review, self.agents, self.tz),
            "checklist": self.quality.checklist,
            "max_total": self.quality.max_total,
            "error": error,
        }
        return page(request, "quality_review.html", context, status)

    async def review(self, request: Request) -> Response:
        review = await get_review(self.deps.engine, request.path_params["id"])
        if review is None:
            return error_page(request, 404, "质检记录不存在", "没有找到这条质检记录。")
        return self._review_page(request, review)

    async def score(self, request: Request) -> Response:
        review_id = request.path_params["id"]
        try:
            scored = score_form(_fields(await request.form()), self.quality.checklist)
        except BadScore as exc:
            review = await get_review(self.deps.engine, review_id)
            if review is None:
                return error_page(request, 400, "评分无效", str(exc))
            return self._review_page(request, review, f"评分无效，未保存：{exc}", 400)
        user = current_user(request)
        assert user is not None  # behind require()
        review = await get_review(self.deps.engine, review_id)
        if review is None or not await save_review(
            self.deps.engine, review_id, scored, user.username, self.deps.clock()
        ):
            return error_page(request, 404, "质检记录不存在", "没有找到这条质检记录。")
        detail = {"review": review_id, "week": review.week, "call": review.call_uniqueid}
        detail |= {"agent": review.agent_id, "total": scored.total, "max_total": scored.max_total}
        await audit_action(request, "quality_score", detail)
        return RedirectResponse(f"/quality?week={review.week}", status_code=303)


def quality_routes(deps: WebDeps) -> list[BaseRoute]:
    """The quality pages, each for supervisors and admins only."""
    pages = _QualityPages(deps, zone(DEFAULT_TZ))
    allowed = require("supervisor", "admin")
    return [
        Route("/quality", allowed(pages.index), methods=["GET"], name="quality"),
        Route("/quality/draw", allowed(pages.draw), methods=["POST"], name="quality_draw"),
        Route("/quality/reviews/{id:int}", allowed(pages.review), methods=["GET"], name="quality_review"),
        Route("/quality/reviews/{id:int}", allowed(pages.score), methods=["POST"], name="quality_score"),
    ]
