"""Orders as the service functions return them: plain frozen records (no ORM session needed),
with their overdue state at a given time and the Chinese labels the pages and the CLI show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.orders.due_dates import answer_overdue, settle_overdue
from hotline.orders.models import WorkOrderHistoryRow, WorkOrderRow

KIND_LABELS = {"repair": "故障报修", "complaint": "投诉", "report": "举报"}
STATUS_LABELS = {"open": "处理中", "answered": "已答复", "closed": "已办结"}
FAULT_LABELS = {"equipment": "设备", "line": "线路", "other": "其他"}
ACTION_LABELS = {
    "created": "受理",
    "published": "已下发调度",
    "merged": "重复报修合并",
    "answered": "答复",
    "closed": "办结",
    "noted": "备注",
}


@dataclass(frozen=True)
class WorkOrder:
    id: int
    number: str
    kind: str  # repair | complaint | report
    status: str  # open | answered | closed
    call_uniqueid: str | None
    caller_number: str | None  # national form
    account_number: str | None
    area_code: str | None
    address: str
    category: str | None
    fault_type: str | None  # repair: equipment | line | other
    fault_subtype: str | None
    description: str
    fault_recording: str | None
    created_at: datetime
    created_by: str
    published_at: datetime | None  # repair: when the broker confirmed the dispatch message
    answer_due: datetime | None  # complaint / report
    settle_due: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    merged_reports: int
    followup_job_id: str | None

    def answer_overdue(self, now: datetime) -> bool:
        return answer_overdue(self.answer_due, self.answered_at, self.closed_at, now)

    def settle_overdue(self, now: datetime) -> bool:
        return settle_overdue(self.settle_due, self.closed_at, now)

    def overdue(self, now: datetime) -> bool:
        return self.answer_overdue(now) or self.settle_overdue(now)


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str  # created | published | merged | answered | closed | noted
    call_uniqueid: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class OrderDetail:
    order: WorkOrder
    history: list[HistoryEntry]  # oldest first


def order_of(row: WorkOrderRow) -> WorkOrder:
    return WorkOrder(
        id=row.id,
        number=row.number,
        kind=row.kind,
        status=row.status,
        call_uniqueid=row.call_uniqueid,
        caller_number=row.caller_number,
        account_number=row.account_number,
        area_code=row.area_code,
        address=row.address,
        category=row.category,
        fault_type=row.fault_type,
        fault_subtype=row.fault_subtype,
        description=row.description,
        fault_recording=row.fault_recording,
        created_at=row.created_at,
        created_by=row.created_by,
        published_at=row.published_at,
        answer_due=row.answer_due,
        settle_due=row.settle_due,
        answered_at=row.answered_at,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        merged_reports=row.merged_reports,
        followup_job_id=row.followup_job_id,
    )


def entry_of(row: WorkOrderHistoryRow) -> HistoryEntry:
    return HistoryEntry(row.at, row.actor, row.action, row.call_uniqueid, dict(row.detail))
