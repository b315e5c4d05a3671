"""Initial schema: calls and call_events.

Revision ID: 0001
Revises:
Create Date: 2024-05-01
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_OUTCOMES = (
    "'ivr_only', 'agent_answered', 'abandoned_queue', 'abandoned_ringing', "
    "'message_left', 'callback_requested', 'blocked', 'failed', "
    "'answered', 'busy', 'no_answer', 'cancelled'"
)


def _ts(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Names are final (op.f): the metadata's naming convention must not rewrite them.
    _create_calls()
    _create_call_events()


def _create_calls() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("linkedid", sa.String(64), nullable=True),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("trunk", sa.String(80), nullable=True),
        sa.Column("caller_number", sa.Text(), nullable=True),
        sa.Column("caller_name", sa.Text(), nullable=True),
        sa.Column("dnid", sa.String(40), nullable=True),
        _ts("started_at", nullable=False),
        _ts("answered_at"),
        _ts("ended_at"),
        sa.Column("outcome", sa.String(24), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("ivr_path", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("menu_version", sa.String(64), nullable=True),
        sa.Column("business_category", sa.String(40), nullable=True),
        sa.Column("priority", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _ts("queued_at"),
        sa.Column("queue_wait_s", sa.Float(), nullable=True),
        sa.Column("agents_rung", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("ring_time_s", sa.Float(), nullable=True),
        sa.Column("agent_id", sa.String(16), nullable=True),
        sa.Column("agent_extension", sa.String(16), nullable=True),
        _ts("talk_started_at"),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.Column("survey_score", sa.Integer(), nullable=True),
        sa.Column("recording_path", sa.Text(), nullable=True),
        sa.Column("message_path", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("uniqueid", name=op.f("uq_calls_uniqueid")),
        sa.CheckConstraint(f"outcome IN ({_OUTCOMES})", name=op.f("ck_calls_outcome")),
        sa.CheckConstraint("direction IN ('inbound', 'outbound')", name=op.f("ck_calls_direction")),
    )
    op.create_index(op.f("ix_calls_started_at"), "calls", ["started_at"])
    op.create_index(op.f("ix_calls_outcome"), "calls", ["outcome"])
    op.create_index(op.f("ix_calls_agent_id"), "calls", ["agent_id"])


def _create_call_events() -> None:
    op.create_table(
        "call_events",
        sa.Column("id", sa.Integer(), nullable=False),
        # Not a foreign key on purpose: see hotline.store.models.CallEvent.
        sa.Column("call_uniqueid", sa.String(64), nullable=False),
        _ts("at", nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_events")),
    )
    op.create_index(op.f("ix_call_events_call_uniqueid"), "call_events", ["call_uniqueid"])


def downgrade() -> None:
    op.drop_index(op.f("ix_call_events_call_uniqueid"), table_name="call_events")
    op.drop_table("call_events")
    op.drop_index(op.f("ix_calls_agent_id"), table_name="calls")
    op.drop_index(op.f("ix_calls_outcome"), table_name="calls")
    op.drop_index(op.f("ix_calls_started_at"), table_name="calls")
    op.drop_table("calls")
