"""Menu versions: every menu that ran, with who put it in and when (hotline.store.menu_models).

Revision ID: 0009
Revises: 0007 (re-chained after 0008 at merge)
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "menu_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("rolled_back_from", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_versions")),
        sa.ForeignKeyConstraint(
            ["rolled_back_from"],
            ["menu_versions.id"],
            name=op.f("fk_menu_versions_rolled_back_from_menu_versions"),
            ondelete="RESTRICT",
        ),
    )


def downgrade() -> None:
    op.drop_table("menu_versions")
