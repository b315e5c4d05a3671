"""What the agent files from the desk for the call on it: the disposition (category + note), a
work order (a fault repair dispatched at once, or a complaint / report with due dates) and a
harassment flag on the caller's number.

The call is always the one on the agent's own desk (`Desk.call_of`): a form names it by its
uniqueid, and a uniqueid that is not the agent's call is refused; the caller's number comes from
the call, never from the form. Each change is audited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from acd.events import WrapUpDone
from hotline.harassment.flags import HarassmentError, flag_number
from hotline.orders.create import create_complaint, create_repair
from hotline.orders.errors import OrderError
from hotline.orders.intake import ComplaintRequest, RepairRequest
from hotline.orders.publishing import DispatchPublisher
from hotline.phone_number import try_normalise
from hotline.store.dispositions import DispositionError, save_disposition
from hotline.store.models import CallEvent
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import Endpoint, require
from hotline.web.deps import WebDeps
from hotline.web.desk.customer import Customer
from hotline.web.desk.desk import Desk
from hotline.web.desk.routes import Feed, agent_of, refused
from hotline.web.desk.tracker import DeskCall

log = structlog.get_logger("web.desk")
FILABLE = ("talking", "wrap_up", "ended")  # not while the phone still rings


def _field(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


Filer = Callable[[Request, str, FormData, DeskCall], Awaitable[Response]]


def _filing(desk: Desk, filer: Filer) -> Endpoint:
    """An agent's POST about the call on their desk: `filer(request, agent_id, form, call)` runs
    only when the form names that call and it is past ringing."""

    @require("agent")
    async def endpoint(request: Request) -> Response:
        agent_id, form = agent_of(request), await request.form()
        found = desk.call_of(agent_id)
        if found is None or found[0].uniqueid != _field(form, "uniqueid") or found[1] not in FILABLE:
            return refused("这通电话不在您的工作台上（已被其他座席接听，或尚未接通）")
        return await filer(request, agent_id, form, found[0])

    return endpoint


def filing_routes(desk: Desk, deps: WebDeps, feed: Feed, publisher: DispatchPublisher) -> list[BaseRoute]:
    return [
        Route("/agent/disposition", _disposition(desk, deps, feed), methods=["POST"]),
        Route("/agent/orders", _order(desk, deps, publisher), methods=["POST"]),
        Route("/agent/flag", _flag(desk, deps), methods=["POST"]),
    ]


def _disposition(desk: Desk, deps: WebDeps, feed: Feed) -> Endpoint:
    async def disposition(request: Request, agent_id: str, form: FormData, call: DeskCall) -> Response:
        try:
            saved = await save_disposition(
                deps.engine,
                uniqueid=call.uniqueid,
                agent_id=agent_id,
                category=_field(form, "category"),
                note=_field(form, "note") or None,
                at=deps.clock(),
                categories=deps.settings.categories,
            )
        except DispositionError as exc:
            return refused(str(exc), 400)
        label = deps.settings.categories.agent_label(saved.category)
        desk.disposed(call.uniqueid, saved.category, saved.note or "", label)
        await audit_action(request, "disposition", {"uniqueid": call.uniqueid, "category": saved.category})
        view = desk.board.acd.agent(agent_id)
        ends = deps.web.wrapup_ends_on_save and view.state == "wrap_up" and view.call_id == call.uniqueid
        if ends:
            feed(WrapUpDone(agent_id))
        return JSONResponse({"category": saved.category, "label": label, "wrapup_ended": ends})

    return _filing(desk, disposition)


def _order(desk: Desk, deps: WebDeps, publisher: DispatchPublisher) -> Endpoint:
    async def order(request: Request, agent_id: str, form: FormData, call: DeskCall) -> Response:
        try:
            made = await _file_order(deps, publisher, call, form, agent_id, desk.customer(call.uniqueid))
        except OrderError as exc:
            return refused(str(exc), 400)
        await audit_action(request, "work_order", {"uniqueid": call.uniqueid, **made})
        return JSONResponse(made)

    return _filing(desk, order)


def _flag(desk: Desk, deps: WebDeps) -> Endpoint:
    async def flag(request: Request, agent_id: str, form: FormData, call: DeskCall) -> Response:
        try:
            done = await flag_number(
                deps.engine, call.caller, _field(form, "reason"), agent_id, call.uniqueid, deps.clock()
            )
        except HarassmentError as exc:
            return refused(str(exc), 400)
        await audit_action(request, "flag_number", {"uniqueid": call.uniqueid, "created": done.created})
        return JSONResponse({"number": done.flag.number, "created": done.created})

    return _filing(desk, flag)


async def _file_order(
    deps: WebDeps,
    publisher: DispatchPublisher,
    call: DeskCall,
    form: FormData,
    agent_id: str,
    customer: Customer | None,
) -> dict[str, Any]:
    """A repair (merged or new) or a complaint / report from the form, tied to the desk's call
    (and to the caller's account in that area, when the store has one)."""
    fields = {k: _field(form, k) for k in ("area_code", "address", "description")}
    fields |= {"caller_number": try_normalise(call.caller) or "", "call_uniqueid": call.uniqueid}
    accounts = (
        [a.account_number for a in customer.accounts if a.area_code == fields["area_code"]]
        if customer
        else []
    )
    fields["account_number"] = accounts[0] if len(accounts) == 1 else ""
    kind, now = _field(form, "kind"), deps.clock()
    if kind == "repair":
        request = RepairRequest.parse(
            fields
            | {
                "fault_type": _field(form, "fault_type"),
                "fault_subtype": _field(form, "fault_subtype"),
                "fault_recording": await _fault_recording(deps, call.uniqueid) or "",
                "category": "fault_repair",
            }
        )
        made, merged = await create_repair(deps.engine, deps.settings, publisher, request, agent_id, now)
        return {"number": made.number, "kind": made.kind, "merged": merged}
    category = _field(form, "category") or _category_of(kind)
    complaint = ComplaintRequest.parse(fields | {"kind": kind, "category": category})
    made = await create_complaint(deps.engine, deps.settings, complaint, agent_id, now)
    return {"number": made.number, "kind": made.kind, "merged": False}


def _category_of(kind: str) -> str:
    return {"complaint": "complaint", "report": "theft_report"}.get(kind, "other")


async def _fault_recording(deps: WebDeps, uniqueid: str) -> str | None:
    """The caller's own description of the fault, if they recorded one in the menu."""
    e = CallEvent
    stmt = select(e.data).where(e.call_uniqueid == uniqueid, e.kind == "recorded").order_by(e.id)
    async with deps.engine.connect() as conn:
        for (data,) in (await conn.execute(stmt)).all():
            if isinstance(data, dict) and data.get("purpose") == "fault":
                path = data.get("path")
                return path if isinstance(path, str) else None
    return None
