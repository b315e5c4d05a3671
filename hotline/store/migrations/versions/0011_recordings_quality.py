"""Calls and recordings in the console: indexes for the call search (number, dnid, categories),
the retention job's mark on a call (recording_deleted_at, recording_deleted_reason), and the
weekly quality checks (quality_reviews, hotline.quality.models).

Revision ID: 0011
Revises: 0007 (re-chained after the other migrations of issue 15 at merge)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CALL_INDEXES = ("caller_number", "dnid", "business_category", "agent_category")
REASONS = "recording_deleted_reason IN ('retention', 'retention_missing')"


def _quality_reviews() -> None:
    op.create_table(
        "quality_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("call_uniqueid", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.String(16), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("max_total", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_reviews")),
        sa.UniqueConstraint("week", "call_uniqueid", name="uq_quality_reviews_week_call_uniqueid"),
    )
    op.create_index(op.f("ix_quality_reviews_call_uniqueid"), "quality_reviews", ["call_uniqueid"])
    op.create_index("ix_quality_reviews_week_agent_id", "quality_reviews", ["week", "agent_id"])


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("recording_deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("recording_deleted_reason", sa.String(24), nullable=True))
        batch.create_check_constraint("recording_deleted_reason", REASONS)
    for column in CALL_INDEXES:
        op.create_index(op.f(f"ix_calls_{column}"), "calls", [column])
    _quality_reviews()


def downgrade() -> None:
    op.drop_index("ix_quality_reviews_week_agent_id", table_name="quality_reviews")
    op.drop_index(op.f("ix_quality_reviews_call_uniqueid"), table_name="quality_reviews")
    op.drop_table("quality_reviews")
    for column in CALL_INDEXES:
        op.drop_index(op.f(f"ix_calls_{column}"), table_name="calls")
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint(op.f("ck_calls_recording_deleted_reason"), type_="check")
        batch.drop_column("recording_deleted_reason")
        batch.drop_column("recording_deleted_at")
