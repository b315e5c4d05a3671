"""The console's admin data: studio recordings overriding prompts (`prompt_overrides`,
hotline.store.prompt_models) and cancelled outage notices (`outage_notices.cancelled_at`: a notice
withdrawn or replaced in the console is kept, marked, and no longer announced or called).

Revision ID: 0010
Revises: 0007 (re-chained after 0008/0009 at merge)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prompt_overrides",
        sa.Column("prompt_id", sa.String(64), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("prompt_id", name=op.f("pk_prompt_overrides")),
    )
    with op.batch_alter_table("outage_notices") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # cancelled notices would be announced again without their mark: they go with it
    op.execute("DELETE FROM outage_notices WHERE cancelled_at IS NOT NULL")
    with op.batch_alter_table("outage_notices") as batch:
        batch.drop_column("cancelled_at")
    op.drop_table("prompt_overrides")
