"""Reading and saving knowledge-base articles. Every save writes the article and its new version
row in one transaction (the SQLite triggers update the search index in that same transaction).

Titles are unique, archived articles included (`TitleTaken` names the other article). An edit
names the version it was made from: if someone saved the article meanwhile, `StaleEdit` and
nothing changes (no edit is silently lost).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.kb.drafts import Draft, KbError
from hotline.kb.models import KbArticleRow, KbArticleVersionRow

T = TypeVar("T")


class ArticleNotFound(KbError):
    pass


class TitleTaken(KbError):
    def __init__(self, title: str, other_id: int) -> None:
        self.other_id = other_id
        super().__init__(f"标题“{title}”已被文章 #{other_id} 使用（含已归档的文章）")


class StaleEdit(KbError):
    def __init__(self, article_id: int) -> None:
        super().__init__(f"文章 #{article_id} 在您编辑期间已被他人修改：请重新打开后再改")


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    body: str
    tags: tuple[str, ...]
    category: str | None
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    archived_at: datetime | None
    archived_by: str | None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True)
class Version:
    version: int
    action: str
    title: str
    saved_at: datetime
    saved_by: str


def _article(row: Row[Any]) -> Article:
    values = dict(row._mapping)
    return Article(**(values | {"tags": tuple(values["tags"].split())}))


def _content(draft: Draft) -> dict[str, Any]:
    return {"title": draft.title, "body": draft.body, "tags": draft.tags_text, "category": draft.category}


async def fetch(conn: AsyncConnection, article_id: int) -> Article | None:
    row = (await conn.execute(select(KbArticleRow).where(KbArticleRow.id == article_id))).first()
    return _article(row) if row else None


async def fetch_by_title(conn: AsyncConnection, title: str) -> Article | None:
    row = (await conn.execute(select(KbArticleRow).where(KbArticleRow.title == title))).first()
    return _article(row) if row else None


async def _check_title_free(conn: AsyncConnection, title: str, article_id: int | None) -> None:
    other = await fetch_by_title(conn, title)
    if other is not None and other.id != article_id:
        raise TitleTaken(title, other.id)


async def _record_version(
    conn: AsyncConnection, article: Article, action: str, actor: str, now: datetime
) -> None:
    content = {"title": article.title, "body": article.body, "tags": " ".join(article.tags)}
    await conn.execute(
        insert(KbArticleVersionRow).values(
            article_id=article.id,
            version=article.version,
            action=action,
            category=article.category,
            saved_at=now,
            saved_by=actor,
            **content,
        )
    )


async def insert_article(
    conn: AsyncConnection, draft: Draft, *, actor: str, now: datetime, action: str = "created"
) -> Article:
    """A new article (version 1) and its first version row, on an open transaction."""
    await _check_title_free(conn, draft.title, None)
    values = _content(draft) | {"version": 1, "created_at": now, "created_by": actor}
    values |= {"updated_at": now, "updated_by": actor}
    new_id = (
        await conn.execute(insert(KbArticleRow).values(**values).returning(KbArticleRow.id))
    ).scalar_one()
    article = await fetch(conn, new_id)
    assert article is not None
    await _record_version(conn, article, action, actor, now)
    return article


async def save_article(
    conn: AsyncConnection,
    article_id: int,
    version: int,
    changes: dict[str, Any],
    *,
    action: str,
    actor: str,
    now: datetime,
) -> Article:
    """Apply `changes` to the article if it is still at `version`, as version + 1 with its
    version row; StaleEdit if it moved on, ArticleNotFound if there is none."""
    values = changes | {"version": version + 1, "updated_at": now, "updated_by": actor}
    done = await conn.execute(
        update(KbArticleRow)
        .where(KbArticleRow.id == article_id, KbArticleRow.version == version)
        .values(**values)
    )
    article = await fetch(conn, article_id)
    if article is None:
        raise ArticleNotFound(f"没有文章 #{article_id}")
    if done.rowcount != 1:
        raise StaleEdit(article_id)
    await _record_version(conn, article, action, actor, now)
    return article


async def _in_transaction(
    engine: AsyncEngine, title: str | None, work: Callable[[AsyncConnection], Awaitable[T]]
) -> T:
    """Run `work(conn)` in one transaction; a unique-title race lost at COMMIT is TitleTaken."""
    try:
        async with engine.begin() as conn:
            return await work(conn)
    except IntegrityError:
        if title is not None:
            async with engine.connect() as conn:
                other = await fetch_by_title(conn, title)
            if other is not None:
                raise TitleTaken(title, other.id) from None
        raise


async def create_article(engine: AsyncEngine, draft: Draft, *, actor: str, now: datetime) -> Article:
    return await _in_transaction(
        engine, draft.title, lambda conn: insert_article(conn, draft, actor=actor, now=now)
    )


async def update_article(
    engine: AsyncEngine, article_id: int, draft: Draft, *, version: int, actor: str, now: datetime
) -> Article:
    """The article's new content, if it is still at `version` (the one the form was opened at)."""

    async def work(conn: AsyncConnection) -> Article:
        await _check_title_free(conn, draft.title, article_id)
        changes = _content(draft)
        return await save_article(conn, article_id, version, changes, action="edited", actor=actor, now=now)

    return await _in_transaction(engine, draft.title, work)


async def set_archived(
    engine: AsyncEngine, article_id: int, archived: bool, *, actor: str, now: datetime
) -> tuple[Article, bool]:
    """Archive (hide from search) or restore; returns the article and whether it changed."""

    async def work(conn: AsyncConnection) -> tuple[Article, bool]:
        article = await fetch(conn, article_id)
        if article is None:
            raise ArticleNotFound(f"没有文章 #{article_id}")
        if article.archived == archived:
            return article, False
        changes: dict[str, Any] = {"archived_at": now if archived else None}
        changes["archived_by"] = actor if archived else None
        action = "archived" if archived else "restored"
        saved = await save_article(
            conn, article_id, article.version, changes, action=action, actor=actor, now=now
        )
        return saved, True

    return await _in_transaction(engine, None, work)


async def get_article(engine: AsyncEngine, article_id: int) -> Article | None:
    async with engine.connect() as conn:
        return await fetch(conn, article_id)


async def list_articles(engine: AsyncEngine, *, include_archived: bool = False) -> list[Article]:
    """Every article in the order they were added (the archived ones too if asked)."""
    query = select(KbArticleRow).order_by(KbArticleRow.id)
    if not include_archived:
        query = query.where(KbArticleRow.archived_at.is_(None))
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [_article(row) for row in rows]


async def list_versions(engine: AsyncEngine, article_id: int) -> Sequence[Version]:
    """The article's saves, newest first."""
    query = (
        select(KbArticleVersionRow)
        .where(KbArticleVersionRow.article_id == article_id)
        .order_by(KbArticleVersionRow.version.desc())
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [Version(r.version, r.action, r.title, r.saved_at, r.saved_by) for r in rows]
