"""The work-order tables: one `work_orders` row per order, and its `work_order_history`.

The tables live in the call store's `Base.metadata` (same database, same migrations); the schema
is created by migration 0007_agent_desk. Changing a column or a value list needs a new migration.

- A **repair** (故障报修) names the area/address and the fault type (设备 / 线路 / 其他, with a
  sub-type); it is published on MQTT at once (`published_at`) and merges repeated reports of the
  same fault in its area (`merged_reports`).
- A **complaint** (投诉) or **report** (举报) has due dates: answered within 5 working days,
  settled within 10 (seed 000 §26).
- Closing any order schedules its follow-up call (回访, `followup_job_id`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base, one_of
from hotline.store.utc_datetime import UTCDateTime

ORDER_KINDS: tuple[str, ...] = ("repair", "complaint", "report")
ORDER_STATUSES: tuple[str, ...] = ("open", "answered", "closed")
FAULT_TYPES: tuple[str, ...] = ("equipment", "line", "other")  # 设备 / 线路 / 其他
HISTORY_ACTIONS: tuple[str, ...] = ("created", "published", "merged", "answered", "closed", "noted")


class WorkOrderRow(Base):
    """A work order. `number` is the one people read out (GD + local date + sequence)."""

    __tablename__ = "work_orders"
    __table_args__ = (
        CheckConstraint(one_of("kind", ORDER_KINDS), name="kind"),
        CheckConstraint(one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint(one_of("fault_type", FAULT_TYPES), name="fault_type"),
        CheckConstraint("kind != 'repair' OR fault_type IS NOT NULL", name="repair_has_fault_type"),
        Index("ix_work_orders_kind_status_area_code", "kind", "status", "area_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    call_uniqueid: Mapped[str | None] = mapped_column(String(64), index=True)  # the call it came from
    caller_number: Mapped[str | None] = mapped_column(String(20), index=True)  # national form
    account_number: Mapped[str | None] = mapped_column(String(20))
    area_code: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40))  # the agent category it was filed under
    fault_type: Mapped[str | None] = mapped_column(String(12))
    fault_subtype: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    fault_recording: Mapped[str | None] = mapped_column(Text)  # the caller's recorded description
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(64))  # 工号 or console user name
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # repair: on MQTT
    answer_due: Mapped[datetime | None] = mapped_column(UTCDateTime)  # complaint/report
    settle_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    merged_reports: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    followup_job_id: Mapped[str | None] = mapped_column(String(32))

    def __repr__(self) -> str:
        return f"<WorkOrder {self.number} {self.kind} {self.status}>"


class WorkOrderHistoryRow(Base):
    """One step of an order's life, in order: who did what, when, with what detail."""

    __tablename__ = "work_order_history"
    __table_args__ = (CheckConstraint(one_of("action", HISTORY_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(12))
    call_uniqueid: Mapped[str | None] = mapped_column(String(64))  # a merged report's call
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<WorkOrderHistory {self.order_id} {self.action} at={self.at.isoformat()}>"
