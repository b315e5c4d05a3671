"""What the work-order pages and `hotline orders` show of an order: local times (Asia/Shanghai),
Chinese labels, the overdue flags at a given `now`, and each history step's detail as one line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from hotline.orders.due_dates import due_label
from hotline.orders.records import (
    ACTION_LABELS,
    FAULT_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    HistoryEntry,
    WorkOrder,
)
from hotline.selfservice.local_time import LOCAL_TZ

SUMMARY_CHARS = 40


def local(value: datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def order_view(order: WorkOrder, now: datetime) -> dict[str, Any]:
    """The fields of one order as the list and the detail page print them."""
    summary = order.description.replace("\n", " ")
    return {
        "number": order.number,
        "kind": order.kind,
        "kind_label": KIND_LABELS[order.kind],
        "status": order.status,
        "status_label": STATUS_LABELS[order.status],
        "created": local(order.created_at),
        "created_by": order.created_by,
        "caller": order.caller_number or "",
        "account": order.account_number or "",
        "area": order.area_code or "",
        "address": order.address,
        "fault": _fault(order),
        "description": order.description,
        "summary": summary if len(summary) <= SUMMARY_CHARS else summary[:SUMMARY_CHARS] + "…",
        "recording": order.fault_recording or "",
        "answer_due": due_label(order.answer_due, LOCAL_TZ) if order.answer_due else "",
        "settle_due": due_label(order.settle_due, LOCAL_TZ) if order.settle_due else "",
        "answer_late": order.answer_overdue(now),
        "settle_late": order.settle_overdue(now),
        "overdue": order.overdue(now),
        "published": local(order.published_at),
        "merged_reports": order.merged_reports,
        "answered": local(order.answered_at),
        "closed": local(order.closed_at),
        "closed_by": order.closed_by or "",
        "followup_job": order.followup_job_id or "",
        "can_answer": order.kind != "repair" and order.status == "open",
        "can_close": order.status != "closed",
    }


def _fault(order: WorkOrder) -> str:
    if order.fault_type is None:
        return ""
    label = FAULT_LABELS.get(order.fault_type, order.fault_type)
    return f"{label} / {order.fault_subtype}" if order.fault_subtype else label


def _seconds(value: Any) -> str:
    return f"{float(value):.0f} 秒" if isinstance(value, int | float) else "—"


# key in a history step's detail -> how it reads (missing or empty keys are left out)
_DETAIL_LINES: tuple[tuple[str, Callable[[Any], str]], ...] = (
    ("note", lambda v: f"意见：{v}"),
    ("description", lambda v: f"报修描述：{v}"),
    ("caller_number", lambda v: f"来电：{v}"),
    ("account_number", lambda v: f"户号：{v}"),
    ("address", lambda v: f"地址：{v}"),
    ("fault_subtype", lambda v: f"故障子类：{v}"),
    ("fault_recording", lambda v: f"报修录音：{PurePosixPath(v).name}"),
    ("answer_due", lambda v: f"答复期限：{due_label(datetime.fromisoformat(v), LOCAL_TZ)}"),
    ("settle_due", lambda v: f"办结期限：{due_label(datetime.fromisoformat(v), LOCAL_TZ)}"),
    ("closed_at", lambda v: f"办结时间：{local(datetime.fromisoformat(v))}"),
    ("since_call_end_s", lambda v: f"挂机后 {_seconds(v)}下发"),
    ("since_created_s", lambda v: f"受理后 {_seconds(v)}下发"),
    ("followup_job_id", lambda v: f"回访任务：{v}"),
    ("followup_refused", lambda v: f"未安排回访：{v}"),
    ("late", lambda v: "超期" if v else ""),
)


def detail_text(detail: dict[str, Any]) -> str:
    """'意见：已处理；回访任务：ab12' - the known keys of a history step, in a fixed order."""
    parts = [read(detail[key]) for key, read in _DETAIL_LINES if detail.get(key) not in (None, "")]
    return "；".join(p for p in parts if p)


def history_view(entry: HistoryEntry) -> dict[str, str]:
    return {
        "at": local(entry.at),
        "actor": entry.actor,
        "action": ACTION_LABELS.get(entry.action, entry.action),
        "call": entry.call_uniqueid or "",
        "detail": detail_text(entry.detail),
    }
