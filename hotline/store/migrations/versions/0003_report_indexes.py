"""Report indexes: call_events by (kind, at), so the per-agent offer figures of a period read only
that period's offer / no_answer events instead of every event ever logged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_call_events_kind_at"), "call_events", ["kind", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_call_events_kind_at"), table_name="call_events")
