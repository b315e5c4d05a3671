"""Saving articles: a version row per save, unique titles (archived ones too), no edit lost to
another made meanwhile; and migration 0008 undone and done again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.kb import store
from hotline.kb.drafts import Draft, check_draft
from hotline.kb.models import KbArticleRow, KbArticleVersionRow
from hotline.store.db import alembic_config, make_engine, upgrade
from ivr.menu_vocab import DEFAULT_AGENT_CATEGORIES

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def draft(title: str, body: str = "答复。", tags: str = "", category: str | None = None) -> Draft:
    return check_draft(title, body, tags, category, DEFAULT_AGENT_CATEGORIES)


async def rows(engine: AsyncEngine, model: type) -> list:
    async with engine.connect() as conn:
        return list((await conn.execute(select(model).order_by(model.id))).all())


async def test_every_save_is_a_version(engine: AsyncEngine) -> None:
    a = await store.create_article(
        engine, draft("如何缴费", tags="缴费", category="consultation"), actor="li", now=T0
    )
    assert (a.version, a.created_by, a.updated_at, a.tags, a.category) == (
        1,
        "li",
        T0,
        ("缴费",),
        "consultation",
    )
    later = T0 + timedelta(hours=1)
    b = await store.update_article(
        engine, a.id, draft("如何缴纳电费", "新答复。"), version=1, actor="wang", now=later
    )
    assert (b.version, b.title, b.body, b.category, b.created_by, b.updated_by) == (
        2,
        "如何缴纳电费",
        "新答复。",
        None,
        "li",
        "wang",
    )
    await store.set_archived(engine, a.id, True, actor="wang", now=later)
    await store.set_archived(engine, a.id, False, actor="li", now=later)
    versions = await store.list_versions(engine, a.id)
    assert [(v.version, v.action, v.title, v.saved_by) for v in versions] == [
        (4, "restored", "如何缴纳电费", "li"),
        (3, "archived", "如何缴纳电费", "wang"),
        (2, "edited", "如何缴纳电费", "wang"),
        (1, "created", "如何缴费", "li"),
    ]
    [first] = [r for r in await rows(engine, KbArticleVersionRow) if r.version == 1]
    assert (first.body, first.tags, first.category) == ("答复。", "缴费", "consultation")


async def test_titles_are_unique_archived_articles_included(engine: AsyncEngine) -> None:
    a = await store.create_article(engine, draft("如何缴费"), actor="li", now=T0)
    await store.set_archived(engine, a.id, True, actor="li", now=T0)
    with pytest.raises(store.TitleTaken, match=f"文章 #{a.id}"):
        await store.create_article(engine, draft("如何缴费", "另一个。"), actor="li", now=T0)
    b = await store.create_article(engine, draft("如何复电"), actor="li", now=T0)
    with pytest.raises(store.TitleTaken):
        await store.update_article(engine, b.id, draft("如何缴费"), version=1, actor="li", now=T0)
    assert [(r.id, r.title, r.version) for r in await rows(engine, KbArticleRow)] == [
        (a.id, "如何缴费", 2),
        (b.id, "如何复电", 1),
    ]


async def test_an_edit_from_an_old_version_changes_nothing(engine: AsyncEngine) -> None:
    a = await store.create_article(engine, draft("如何缴费"), actor="li", now=T0)
    await store.update_article(engine, a.id, draft("如何缴费", "王的答复。"), version=1, actor="wang", now=T0)
    with pytest.raises(store.StaleEdit, match="已被他人修改"):
        await store.update_article(
            engine, a.id, draft("如何缴费", "李的答复。"), version=1, actor="li", now=T0
        )
    now = await store.get_article(engine, a.id)
    assert now is not None and (now.body, now.version) == ("王的答复。", 2)
    assert len(await store.list_versions(engine, a.id)) == 2


async def test_a_missing_article(engine: AsyncEngine) -> None:
    with pytest.raises(store.ArticleNotFound):
        await store.update_article(engine, 404, draft("x"), version=1, actor="li", now=T0)
    with pytest.raises(store.ArticleNotFound):
        await store.set_archived(engine, 404, True, actor="li", now=T0)
    assert await store.get_article(engine, 404) is None


async def test_the_list_in_the_order_added(engine: AsyncEngine) -> None:
    for title in ("乙", "甲", "丙"):
        await store.create_article(engine, draft(title), actor="li", now=T0)
    [_, second, _] = await store.list_articles(engine)
    await store.set_archived(engine, second.id, True, actor="li", now=T0)
    assert [a.title for a in await store.list_articles(engine)] == ["乙", "丙"]
    assert [a.title for a in await store.list_articles(engine, include_archived=True)] == ["乙", "甲", "丙"]


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


def _tables(connection: Connection) -> set[str]:
    return {t for t in inspect(connection).get_table_names() if t.startswith("kb_")}


async def test_migration_0008_down_and_up(db_url: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            assert "kb_articles" in await conn.run_sync(_tables)
            await conn.run_sync(_downgrade, "0007")
            assert await conn.run_sync(_tables) == set()
        await upgrade(db_url)
        await store.create_article(engine, draft("复电"), actor="li", now=T0)
        assert [a.title for a in await store.list_articles(engine)] == ["复电"]
    finally:
        await engine.dispose()
