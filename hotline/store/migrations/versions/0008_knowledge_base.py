"""The knowledge base: kb_articles, kb_article_versions (hotline.kb.models) and their full-text
search: SQLite FTS5 with the trigram tokenizer (SQLite >= 3.34) kept in sync by triggers, or on
PostgreSQL pg_trgm GIN indexes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import context, op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FTS = "kb_articles_fts"
COLUMNS = "title, body, tags"
SQLITE_TRIGRAM = (3, 34, 0)  # the first SQLite with FTS5's trigram tokenizer
TRIGRAM_COLUMNS = ("title", "body", "tags")
ADD = f"INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, new.title, new.body, new.tags);"
REMOVE = (
    f"INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.title, old.body, old.tags);"
)
SQLITE_TRIGGERS = {  # the external-content FTS5 table follows every write to kb_articles
    "kb_articles_fts_ai": f"AFTER INSERT ON kb_articles BEGIN {ADD} END",
    "kb_articles_fts_ad": f"AFTER DELETE ON kb_articles BEGIN {REMOVE} END",
    "kb_articles_fts_au": f"AFTER UPDATE ON kb_articles BEGIN {REMOVE} {ADD} END",
}


def _ts(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tables() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(240), server_default="", nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at"),
        sa.Column("created_by", sa.String(64), nullable=False),
        _ts("updated_at"),
        sa.Column("updated_by", sa.String(64), nullable=False),
        _ts("archived_at", nullable=True),
        sa.Column("archived_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_articles")),
        sa.UniqueConstraint("title", name=op.f("uq_kb_articles_title")),
    )
    op.create_table(
        "kb_article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.String(240), nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        _ts("saved_at"),
        sa.Column("saved_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article_versions")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_articles.id"],
            name=op.f("fk_kb_article_versions_article_id_kb_articles"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("article_id", "version", name=op.f("uq_kb_article_versions_article_id")),
        sa.CheckConstraint(
            "action IN ('created', 'edited', 'archived', 'restored', 'imported')",
            name=op.f("ck_kb_article_versions_action"),
        ),
    )


def _check_sqlite_version() -> None:
    found = op.get_bind().exec_driver_sql("SELECT sqlite_version()").scalar_one()
    if tuple(int(part) for part in str(found).split(".")[:3]) < SQLITE_TRIGRAM:
        raise RuntimeError(
            f"the knowledge base's search needs SQLite >= 3.34 (FTS5 trigram tokenizer); "
            f"this Python uses SQLite {found}: use a newer SQLite or PostgreSQL"
        )


def _sqlite_search() -> None:
    if not context.is_offline_mode():  # an offline script has no database to ask
        _check_sqlite_version()
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, "
        "content='kb_articles', content_rowid='id', tokenize='trigram')"
    )
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def _postgresql_search() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        op.create_index(
            f"ix_kb_articles_{column}_trgm",
            "kb_articles",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def upgrade() -> None:
    _tables()
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        _sqlite_search()
    elif dialect == "postgresql":
        _postgresql_search()


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif dialect == "postgresql":  # pg_trgm stays: other objects of the database may use it
        for column in TRIGRAM_COLUMNS:
            op.drop_index(f"ix_kb_articles_{column}_trgm", table_name="kb_articles")
    op.drop_table("kb_article_versions")
    op.drop_table("kb_articles")
