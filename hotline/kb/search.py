"""Searching the knowledge base: the live articles holding every term of the query, best first.

SQLite: the terms of 3+ characters are looked up in the FTS5 trigram index (`kb_articles_fts
MATCH '"term" AND "term"'`), shorter terms are LIKE over the articles. PostgreSQL: every term is
ILIKE, which the pg_trgm GIN indexes serve for terms of 3+ characters. Either way the order is:
articles with more terms in the title first, then more terms in the tags, then the index's
relevance (FTS5 bm25 with the title weighted most / pg_trgm similarity), then the newest edit.

One indexed query on the daemon's async engine: cheap enough for the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, literal_column, or_, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import InstrumentedAttribute

from hotline.kb.models import FTS_TABLE, KbArticleRow
from hotline.kb.query import LIKE_ESCAPE, Query, fts5_query, like_pattern, snippet

A = KbArticleRow
FTS = table(FTS_TABLE, sql_column("rowid"))
FTS_MATCH: ColumnElement[str] = literal_column(FTS_TABLE)  # `kb_articles_fts MATCH ...` searches every column
BM25: ColumnElement[float] = literal_column(
    f"bm25({FTS_TABLE}, 10.0, 1.0, 5.0)"
)  # weights: title, body, tags
LIMIT_DEFAULT = 10
LIMIT_MAX = 50


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    snippet: str  # plain text around the first match in the body
    tags: tuple[str, ...]
    category: str | None


def _contains(col: InstrumentedAttribute[str], term: str, dialect: str) -> ColumnElement[bool]:
    pattern = like_pattern(term)
    if dialect == "postgresql":
        return col.ilike(pattern, escape=LIKE_ESCAPE)
    return col.like(pattern, escape=LIKE_ESCAPE)  # SQLite: ASCII case-insensitive, like trigram


def _anywhere(term: str, dialect: str) -> ColumnElement[bool]:
    return or_(*(_contains(col, term, dialect) for col in (A.title, A.tags, A.body)))


def _hits(col: InstrumentedAttribute[str], terms: tuple[str, ...], dialect: str) -> ColumnElement[int]:
    """How many of `terms` the column holds."""
    counts = [case((_contains(col, term, dialect), 1), else_=0) for term in terms]
    return reduce(lambda a, b: a + b, counts, literal(0))


def search_statement(
    query: Query, dialect: str, limit: int = LIMIT_DEFAULT
) -> Select[tuple[int, str, str, str, str | None]]:
    """The SELECT for `query` on `dialect` ("sqlite" or "postgresql"); every term is bound."""
    if query.empty:
        raise ValueError("an empty query searches nothing")
    stmt = select(A.id, A.title, A.body, A.tags, A.category).where(A.archived_at.is_(None))
    relevance: list[ColumnElement[Any]] = []
    like_terms = query.terms
    if dialect == "sqlite" and query.indexed_terms:
        stmt = stmt.join(FTS, FTS.c.rowid == A.id).where(
            FTS_MATCH.op("MATCH")(fts5_query(query.indexed_terms))
        )
        like_terms = query.short_terms
        relevance = [BM25]  # bm25: lower is better
    elif dialect == "postgresql":
        relevance = [func.similarity(A.title, query.text).desc(), func.similarity(A.body, query.text).desc()]
    for term in like_terms:
        stmt = stmt.where(_anywhere(term, dialect))
    order = [_hits(A.title, query.terms, dialect).desc(), _hits(A.tags, query.terms, dialect).desc()]
    return stmt.order_by(*order, *relevance, A.updated_at.desc(), A.id).limit(max(1, min(limit, LIMIT_MAX)))


async def search(engine: AsyncEngine, query: Query, *, limit: int = LIMIT_DEFAULT) -> list[Hit]:
    """The live (not archived) articles holding every term, best first; none for an empty query."""
    if query.empty:
        return []
    stmt = search_statement(query, engine.dialect.name, limit)
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [
        Hit(
            id=r.id,
            title=r.title,
            snippet=snippet(r.body, query.terms),
            tags=tuple(r.tags.split()),
            category=r.category,
        )
        for r in rows
    ]
