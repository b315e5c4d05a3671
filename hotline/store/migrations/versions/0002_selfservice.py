"""Self-service data: outage_notices and accounts (hotline.selfservice.models).

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-15
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    # Names are final (op.f): the metadata's naming convention must not rewrite them.
    op.create_table(
        "outage_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(12), nullable=False),
        sa.Column("area_name", sa.String(80), nullable=False),
        sa.Column("towns", sa.JSON(), nullable=False),
        _ts("starts_at"),
        _ts("ends_at"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        _ts("published_at"),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outage_notices")),
        sa.CheckConstraint("kind IN ('planned', 'fault')", name=op.f("ck_outage_notices_kind")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_outage_notices_ends_after_start")),
    )
    op.create_index(
        op.f("ix_outage_notices_area_code_starts_at"), "outage_notices", ["area_code", "starts_at"]
    )

    op.create_table(
        "accounts",
        sa.Column("account_number", sa.String(20), nullable=False),
        sa.Column("area_code", sa.String(12), nullable=False),
        sa.Column("masked_name", sa.String(40), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("balance", sa.Numeric(12, 2), nullable=False),
        sa.Column("last_bill_amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("last_bill_month", sa.String(7), nullable=False),
        sa.Column("last_usage_kwh", sa.Numeric(12, 1), nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("account_number", name=op.f("pk_accounts")),
    )
    op.create_index(op.f("ix_accounts_phone"), "accounts", ["phone"])


def downgrade() -> None:
    op.drop_index(op.f("ix_accounts_phone"), table_name="accounts")
    op.drop_table("accounts")
    op.drop_index(op.f("ix_outage_notices_area_code_starts_at"), table_name="outage_notices")
    op.drop_table("outage_notices")
