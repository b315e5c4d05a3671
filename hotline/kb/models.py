"""The knowledge-base tables: one `kb_articles` row per standard answer (标准答复, seed 004), and
`kb_article_versions`, every saved state of an article (who changed what, when).

The tables live in the call store's `Base.metadata` (same database, same migrations); the schema
is created by migration 0008_knowledge_base. Changing a column needs a new migration.

The full-text search objects are not in the metadata (SQLAlchemy cannot describe them): on
SQLite the FTS5 table `kb_articles_fts` (trigram tokenizer, external content = kb_articles, kept
in sync by triggers), on PostgreSQL the pg_trgm GIN indexes in `TRIGRAM_INDEXES`. Alembic's
comparison skips them through `managed_by_metadata`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Literal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base, one_of
from hotline.store.utc_datetime import UTCDateTime

FTS_TABLE = "kb_articles_fts"
TRIGRAM_INDEXES: tuple[str, ...] = (
    "ix_kb_articles_title_trgm",
    "ix_kb_articles_body_trgm",
    "ix_kb_articles_tags_trgm",
)
VERSION_ACTIONS: tuple[str, ...] = ("created", "edited", "archived", "restored", "imported")
NameType = Literal[
    "schema", "table", "column", "index", "unique_constraint", "foreign_key_constraint", "check_constraint"
]
ParentName = Literal["schema_name", "table_name", "schema_qualified_table_name"]  # alembic's keys


class KbArticleRow(Base):
    """A standard answer. `tags` is the tags joined by one space (a tag has no whitespace);
    `version` counts the saves (an edit form names the version it was made from); an archived
    article (`archived_at` set) is kept, hidden from search."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(80), unique=True)
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(240), default="", server_default="")
    category: Mapped[str | None] = mapped_column(String(40))  # an agent category key
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_by: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<KbArticle {self.id} v{self.version}{' archived' if self.archived_at else ''}>"


class KbArticleVersionRow(Base):
    """The article as it was after one save, and what the save was."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "version"),
        CheckConstraint(one_of("action", VERSION_ACTIONS), name="action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(240))
    category: Mapped[str | None] = mapped_column(String(40))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by: Mapped[str] = mapped_column(String(64))


def is_search_object(name: str | None) -> bool:
    """The FTS5 table with its shadow tables (SQLite), or a pg_trgm index (PostgreSQL)."""
    if name is None:
        return False
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_") or name in TRIGRAM_INDEXES


def managed_by_metadata(
    name: str | None, type_: NameType, parent_names: MutableMapping[ParentName, str | None]
) -> bool:
    """Alembic's `include_name` hook: compare everything but the search objects."""
    return not is_search_object(name)
