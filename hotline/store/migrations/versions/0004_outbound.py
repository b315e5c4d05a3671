"""Outbound dialer: outbound_jobs, outbound_attempts, dnc_numbers (hotline.dialer.models).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PURPOSES = "purpose IN ('followup', 'outage_notice', 'callback')"
_STATUSES = "status IN ('pending', 'in_progress', 'done', 'given_up', 'cancelled')"
_RESULTS = "result IN ('answered', 'busy', 'no_answer', 'rejected', 'failed', 'out_of_window', 'dnc')"


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    _create_outbound_jobs()
    _create_outbound_attempts()
    _create_dnc_numbers()


def _create_outbound_jobs() -> None:
    op.create_table(
        "outbound_jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("ref", sa.String(120), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        _ts("not_before"),
        _ts("deadline"),
        _ts("next_at", nullable=True),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("key", sa.String(4), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        _ts("created_at"),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_jobs")),
        sa.CheckConstraint(_PURPOSES, name=op.f("ck_outbound_jobs_purpose")),
        sa.CheckConstraint(_STATUSES, name=op.f("ck_outbound_jobs_status")),
        sa.UniqueConstraint("purpose", "ref", name=op.f("uq_outbound_jobs_purpose_ref")),
    )
    op.create_index(op.f("ix_outbound_jobs_status_next_at"), "outbound_jobs", ["status", "next_at"])


def _create_outbound_attempts() -> None:
    op.create_table(
        "outbound_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        _ts("started_at"),
        _ts("answered_at", nullable=True),
        _ts("ended_at", nullable=True),
        sa.Column("result", sa.String(16), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("key", sa.String(4), nullable=True),
        sa.Column("uniqueid", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_attempts")),
        sa.CheckConstraint(_RESULTS, name=op.f("ck_outbound_attempts_result")),
        sa.UniqueConstraint("job_id", "attempt", name=op.f("uq_outbound_attempts_job_attempt")),
    )
    op.create_index(op.f("ix_outbound_attempts_job_id"), "outbound_attempts", ["job_id"])
    op.create_index(op.f("ix_outbound_attempts_started_at"), "outbound_attempts", ["started_at"])


def _create_dnc_numbers() -> None:
    op.create_table(
        "dnc_numbers",
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _ts("added_at"),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_dnc_numbers")),
    )


def downgrade() -> None:
    op.drop_table("dnc_numbers")
    op.drop_index(op.f("ix_outbound_attempts_started_at"), table_name="outbound_attempts")
    op.drop_index(op.f("ix_outbound_attempts_job_id"), table_name="outbound_attempts")
    op.drop_table("outbound_attempts")
    op.drop_index(op.f("ix_outbound_jobs_status_next_at"), table_name="outbound_jobs")
    op.drop_table("outbound_jobs")
