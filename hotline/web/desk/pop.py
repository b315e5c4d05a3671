"""The screen pop as the desk page shows it (pure): the call (number, VIP, the menu path with its
nodes' names, the category chosen, the wait) and what the store knows about the caller. Times
are the center's local time; every value is text or a number, put on the page with textContent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.orders.display import order_view
from hotline.orders.records import FAULT_LABELS
from hotline.phone_number import try_normalise
from hotline.reports.labels import INBOUND_OUTCOME
from hotline.selfservice.local_time import to_local
from hotline.web.desk.customer import Customer
from hotline.web.desk.tracker import DeskCall

PRE_MENU_STEPS = {"harassment_warning": "骚扰来电警示", "repair_notice": "故障抢修通告"}


@dataclass(frozen=True)
class Labels:
    categories: Mapping[str, str]  # every configured category key -> its label
    nodes: Mapping[str, str]  # menu node id -> its label
    agents: Mapping[str, str]  # 工号 -> name


def _t(value: datetime | None) -> str | None:
    return None if value is None else to_local(value).strftime("%Y-%m-%d %H:%M:%S")


def call_view(call: DeskCall, phase: str, now: datetime, labels: Labels) -> dict[str, Any]:
    return {
        "uniqueid": call.uniqueid,
        "phase": phase,
        "number": try_normalise(call.caller) or call.caller or "未知号码",
        "vip": call.vip,
        "path": [_step(node, key, labels) for node, key in call.steps],
        "category": labels.categories.get(call.category or "", call.category) if call.category else None,
        "queued_at": _t(call.queued_at),
        "waited_s": call.waited_s(now),
        "answered_at": _t(call.answered_at),
        "ended_at": _t(call.ended_at),
    }


def _step(node: str, key: str | None, labels: Labels) -> str:
    name = PRE_MENU_STEPS.get(node) or labels.nodes.get(node) or node
    return f"{name}（按 {key}）" if key else name


def _order(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": view["number"],
        "kind": view["kind_label"],
        "status": view["status_label"],
        "due": view["answer_due"] if view["status"] == "open" and view["answer_due"] else view["settle_due"],
        "summary": view["summary"],
        "overdue": view["overdue"],
    }


def _fault(kind: str, subtype: str | None) -> str:
    name = FAULT_LABELS.get(kind, kind)
    return f"{name}/{subtype}" if subtype else name


def customer_view(customer: Customer, labels: Labels, now: datetime) -> dict[str, Any]:
    return {
        "orders": [_order(order_view(o, now)) for o in customer.orders],
        "accounts": [
            {
                "account": a.account_number,
                "name": a.masked_name,
                "address": a.address or "",
                "area": a.area_code,
                "balance": f"{a.balance:.2f}",
                "arrears": a.balance < 0,
                "last_bill": f"{a.last_bill_month} {a.last_bill_amount:.2f} 元 / {a.last_usage_kwh} 千瓦时",
            }
            for a in customer.accounts
        ],
        "notices": [
            {
                "kind": "计划停电" if n.kind == "planned" else "故障停电",
                "area": n.area_name,
                "when": f"{_t(n.starts_at)} 至 {_t(n.ends_at)}",
                "reason": n.reason,
            }
            for n in customer.notices
        ],
        "repairs": [
            {
                "order": r.number,
                "area": r.area_code,
                "fault": FAULT_LABELS.get(r.fault_type, r.fault_type)
                + (f"/{r.fault_subtype}" if r.fault_subtype else ""),
                "since": _t(r.created_at),
            }
            for r in customer.repairs
        ],
        "history": [
            {
                "at": _t(p.started_at),
                "outcome": INBOUND_OUTCOME.get(p.outcome or "in_progress", p.outcome),
                "agent": f"{p.agent_id} {labels.agents.get(p.agent_id, '')}".strip() if p.agent_id else "",
                "category": labels.categories.get(p.category or "", p.category or ""),
                "note": p.note or "",
            }
            for p in customer.history
        ],
    }
