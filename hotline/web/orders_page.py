"""The work-order pages (工单): agents, supervisors and admins read them; agents and supervisors
answer and close.

  GET  /orders                     the list: ?status=active|open|answered|closed|all (default
                                   active = not closed), &kind=repair|complaint|report, &overdue=1
  GET  /orders/{number}            one order with its history and the answer / close forms
  POST /orders/{number}/answer     note (required): a complaint or report is answered
  POST /orders/{number}/close      note (optional): the order is closed, its follow-up scheduled

Times are shown in the center's local time; overdue orders and due dates are highlighted. A
refused change is shown on the order's page with the reason (400 bad input, 409 state) and
changes nothing; a change done is audited (`order_answer`, `order_close`) and redirects back.
The follow-up scheduler is handed in (`schedule_followup`: the daemon's dialer).
"""

from __future__ import annotations

from urllib.parse import quote

import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from hotline.orders import (
    FollowupScheduler,
    OrderError,
    OrderFilter,
    OrderNotFound,
    OrderStateError,
    answer_order,
    close_order,
    list_orders,
    order_detail,
)
from hotline.orders.display import history_view, order_view
from hotline.orders.models import ORDER_KINDS
from hotline.orders.queries import STATUS_FILTERS
from hotline.orders.records import KIND_LABELS
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import CurrentUser, current_user, require
from hotline.web.deps import WebDeps
from hotline.web.templating import error_page, page

log = structlog.get_logger("web.orders")
STATUS_CHOICES = dict(zip(STATUS_FILTERS, ("未办结", "处理中", "已答复", "已办结", "全部"), strict=True))


def actor_of(user: CurrentUser) -> str:
    """Who the history names: an agent by 工号, anyone else by user name."""
    return user.agent_id if user.agent_id else user.username


def _unavailable(request: Request, exc: Exception) -> Response:
    log.error("web.orders_failed", path=request.url.path, error=repr(exc))
    return error_page(request, 503, "工单暂时无法读取", "读取工单数据失败，请稍后再试或联系管理员。")


class _OrdersPage:
    def __init__(self, deps: WebDeps, schedule_followup: FollowupScheduler) -> None:
        self.deps = deps
        self.schedule_followup = schedule_followup

    async def index(self, request: Request) -> Response:
        q = request.query_params
        status, kind = q.get("status") or "active", q.get("kind") or None
        try:
            which = OrderFilter(status=status, kind=kind, overdue=q.get("overdue") == "1")
        except OrderError as exc:
            return error_page(request, 400, "参数错误", str(exc))
        now = self.deps.clock()
        try:
            orders = await list_orders(self.deps.engine, now, which)
        except (SQLAlchemyError, OSError) as exc:
            return _unavailable(request, exc)
        ctx = {
            "orders": [order_view(o, now) for o in orders],
            "which": which,
            "statuses": STATUS_CHOICES,
            "kinds": {k: KIND_LABELS[k] for k in ORDER_KINDS},
        }
        return page(request, "orders.html", ctx)

    async def detail(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        number = request.path_params["number"]
        try:
            found = await order_detail(self.deps.engine, number)
        except OrderError as exc:  # not an order number, or no such order
            return error_page(request, 404, "工单不存在", str(exc))
        except (SQLAlchemyError, OSError) as exc:
            return _unavailable(request, exc)
        ctx = {
            "order": order_view(found.order, self.deps.clock()),
            "history": [history_view(e) for e in found.history],
            "error": error,
        }
        return page(request, "order.html", ctx, status)

    async def answer(self, request: Request) -> Response:
        return await self._act(request, "order_answer")

    async def close(self, request: Request) -> Response:
        return await self._act(request, "order_close")

    async def _act(self, request: Request, action: str) -> Response:
        user = current_user(request)
        assert user is not None  # require()
        number = request.path_params["number"]
        note = (await request.form()).get("note", "")
        if not isinstance(note, str):
            return await self.detail(request, "处理意见须为文字", 400)
        engine, now = self.deps.engine, self.deps.clock()
        try:
            if action == "order_answer":
                order = await answer_order(engine, number, actor_of(user), note, now)
            else:
                order = await close_order(engine, number, actor_of(user), note, now, self.schedule_followup)
        except OrderNotFound as exc:
            return error_page(request, 404, "工单不存在", str(exc))
        except OrderError as exc:
            return await self.detail(request, str(exc), 409 if isinstance(exc, OrderStateError) else 400)
        except (SQLAlchemyError, OSError) as exc:
            return _unavailable(request, exc)
        await audit_action(request, action, {"order": order.number, "note": note.strip()})
        return RedirectResponse(f"/orders/{quote(order.number)}", status_code=303)


def order_routes(deps: WebDeps, schedule_followup: FollowupScheduler) -> list[BaseRoute]:
    """The work-order routes; `schedule_followup` books a closed order's 回访 (the daemon passes
    its dialer's `OutboundRuntime.schedule_followup`)."""
    pages = _OrdersPage(deps, schedule_followup)
    readers = require("agent", "supervisor", "admin")
    actors = require("agent", "supervisor")
    return [
        Route("/orders", readers(pages.index), methods=["GET"], name="orders"),
        Route("/orders/{number}", readers(pages.detail), methods=["GET"], name="order"),
        Route("/orders/{number}/answer", actors(pages.answer), methods=["POST"], name="order_answer"),
        Route("/orders/{number}/close", actors(pages.close), methods=["POST"], name="order_close"),
    ]
