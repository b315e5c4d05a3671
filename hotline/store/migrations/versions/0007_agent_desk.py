"""The agent desk: dispositions and survey scales on calls, work orders with their history,
flagged (harassment) numbers (hotline.orders.models, hotline.harassment.models).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _calls() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("survey_source", sa.String(8), nullable=True))
        batch.add_column(sa.Column("agent_category", sa.String(40), nullable=True))
        batch.add_column(sa.Column("disposition_note", sa.Text(), nullable=True))
        batch.add_column(_ts("disposed_at", nullable=True))
        batch.add_column(sa.Column("disposed_by", sa.String(16), nullable=True))
        batch.create_check_constraint("survey_source", "survey_source IN ('ivr', 'agent')")
    # the survey a score answers was only in its event: the menu's carries the node
    op.execute(
        "UPDATE calls SET survey_source = CASE WHEN EXISTS (SELECT 1 FROM call_events e "
        "WHERE e.call_uniqueid = calls.uniqueid AND e.kind = 'survey' "
        "AND CAST(e.data AS TEXT) LIKE '%\"node\"%') "
        "THEN 'ivr' ELSE 'agent' END WHERE survey_score IS NOT NULL"
    )


def _work_orders() -> None:
    op.create_table(
        "work_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("call_uniqueid", sa.String(64), nullable=True),
        sa.Column("caller_number", sa.String(20), nullable=True),
        sa.Column("account_number", sa.String(20), nullable=True),
        sa.Column("area_code", sa.String(12), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("fault_type", sa.String(12), nullable=True),
        sa.Column("fault_subtype", sa.String(40), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("fault_recording", sa.Text(), nullable=True),
        _ts("created_at"),
        sa.Column("created_by", sa.String(64), nullable=False),
        _ts("published_at", nullable=True),
        _ts("answer_due", nullable=True),
        _ts("settle_due", nullable=True),
        _ts("answered_at", nullable=True),
        _ts("closed_at", nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("merged_reports", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("followup_job_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_work_orders_number")),
        sa.CheckConstraint("kind IN ('repair', 'complaint', 'report')", name=op.f("ck_work_orders_kind")),
        sa.CheckConstraint("status IN ('open', 'answered', 'closed')", name=op.f("ck_work_orders_status")),
        sa.CheckConstraint(
            "fault_type IN ('equipment', 'line', 'other')", name=op.f("ck_work_orders_fault_type")
        ),
        sa.CheckConstraint(
            "kind != 'repair' OR fault_type IS NOT NULL", name=op.f("ck_work_orders_repair_has_fault_type")
        ),
    )
    op.create_index(op.f("ix_work_orders_call_uniqueid"), "work_orders", ["call_uniqueid"])
    op.create_index(op.f("ix_work_orders_caller_number"), "work_orders", ["caller_number"])
    op.create_index(op.f("ix_work_orders_created_at"), "work_orders", ["created_at"])
    op.create_index("ix_work_orders_kind_status_area_code", "work_orders", ["kind", "status", "area_code"])


def _work_order_history() -> None:
    op.create_table(
        "work_order_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        _ts("at"),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("call_uniqueid", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_history")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_history_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "action IN ('created', 'published', 'merged', 'answered', 'closed', 'noted')",
            name=op.f("ck_work_order_history_action"),
        ),
    )
    op.create_index(op.f("ix_work_order_history_order_id"), "work_order_history", ["order_id"])


def _flagged() -> None:
    op.create_table(
        "flagged_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("flagged_at"),
        sa.Column("flagged_by", sa.String(64), nullable=False),
        sa.Column("call_uniqueid", sa.String(64), nullable=True),
        _ts("cleared_at", nullable=True),
        sa.Column("cleared_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flagged_numbers")),
    )
    op.create_index(op.f("ix_flagged_numbers_number"), "flagged_numbers", ["number"])


def upgrade() -> None:
    _calls()
    _work_orders()
    _work_order_history()
    _flagged()


def downgrade() -> None:
    op.drop_index(op.f("ix_flagged_numbers_number"), table_name="flagged_numbers")
    op.drop_table("flagged_numbers")
    op.drop_index(op.f("ix_work_order_history_order_id"), table_name="work_order_history")
    op.drop_table("work_order_history")
    for name in ("ix_work_orders_kind_status_area_code", op.f("ix_work_orders_created_at")):
        op.drop_index(name, table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_caller_number"), table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_call_uniqueid"), table_name="work_orders")
    op.drop_table("work_orders")
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint(op.f("ck_calls_survey_source"), type_="check")
        for column in ("disposed_by", "disposed_at", "disposition_note", "agent_category", "survey_source"):
            batch.drop_column(column)
