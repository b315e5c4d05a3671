"""The knowledge base's search on the real store (SQLite FTS5 trigram; PostgreSQL pg_trgm in the
postgres variants): Chinese terms of 1 to 4+ characters, every term required, title matches
first, archived articles hidden, the index following every edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.kb import store
from hotline.kb.drafts import check_draft
from hotline.kb.query import Query, parse_query
from hotline.kb.search import search
from ivr.menu_vocab import DEFAULT_AGENT_CATEGORIES

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
ARTICLES = [  # title, body, tags
    ("如何缴纳电费", "可通过网上国网App、银行代扣或营业厅缴纳电费。户号印在电费通知单上。", "缴费 电费"),
    ("欠费停电后如何恢复供电", "结清欠费后 24 小时内恢复供电；逾期的含电费违约金。", "欠费 复电"),
    ("停电信息查询", "计划检修停电提前 7 天公告，临时检修提前 24 小时公告。", "停电 停电预告"),
    ("故障报修受理", "记录姓名、电话和地址，5 分钟内派发抢修工单；断线落地请远离。", "报修 抢修"),
    (
        "对电量有疑问或怀疑电表不准",
        "核对电表示数，与去年同期比较；可申请电能表校验，超差的退补电费。",
        "抄表 电表 校验",
    ),
]


async def add(engine: AsyncEngine, title: str, body: str, tags: str = "", minutes: int = 0) -> store.Article:
    draft = check_draft(title, body, tags, None, DEFAULT_AGENT_CATEGORIES)
    return await store.create_article(engine, draft, actor="admin1", now=T0 + timedelta(minutes=minutes))


async def titles(engine: AsyncEngine, typed: str) -> list[str]:
    return [hit.title for hit in await search(engine, parse_query(typed))]


@pytest.fixture
async def kb(engine: AsyncEngine) -> AsyncEngine:
    for minutes, (title, body, tags) in enumerate(ARTICLES):
        await add(engine, title, body, tags, minutes)
    return engine


async def in_sync(engine: AsyncEngine) -> None:
    """SQLite: the FTS5 index holds exactly what kb_articles holds (else 'malformed' is raised)."""
    if engine.dialect.name == "sqlite":
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO kb_articles_fts(kb_articles_fts, rank) VALUES ('integrity-check', 1)")
            )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            "电",
            [
                "如何缴纳电费",
                "欠费停电后如何恢复供电",
                "停电信息查询",
                "故障报修受理",
                "对电量有疑问或怀疑电表不准",
            ],
        ),
        ("电费", ["如何缴纳电费", "欠费停电后如何恢复供电", "对电量有疑问或怀疑电表不准"]),  # 2: LIKE
        ("复电", ["欠费停电后如何恢复供电"]),  # only in the tags
        ("违约金", ["欠费停电后如何恢复供电"]),  # 3: the trigram index
        ("电能表校验", ["对电量有疑问或怀疑电表不准"]),  # 4+
        ("抢修工单", ["故障报修受理"]),
        ("欠费 违约金", ["欠费停电后如何恢复供电"]),  # every term, short and long mixed
        ("欠费 抢修", []),
        ("电费，欠费？", ["欠费停电后如何恢复供电"]),
        ("app", ["如何缴纳电费"]),  # ASCII regardless of case
        ("95598", []),
    ],
)
async def test_chinese_terms_of_every_length(kb: AsyncEngine, typed: str, expected: list[str]) -> None:
    assert sorted(await titles(kb, typed)) == sorted(expected)


async def test_title_matches_come_before_tag_and_body_matches(engine: AsyncEngine) -> None:
    # the newest edit would come first if the place of the match did not count
    await add(engine, "停电了怎么办", "先看邻居家。", minutes=0)  # title
    await add(engine, "计划停电与停电通知", "提前公告。", minutes=1)  # title, twice
    await add(engine, "临时用电", "工地用电。", "停电 临时", minutes=2)  # tags
    await add(engine, "营业厅办理业务", "带身份证办理。" + "停电" * 30, minutes=3)  # body only, many times
    got = await titles(engine, "停电")
    assert set(got[:2]) == {"停电了怎么办", "计划停电与停电通知"}
    assert got[2:] == ["临时用电", "营业厅办理业务"]
    assert await titles(engine, "停电通知") == ["计划停电与停电通知"]  # 4 characters: FTS5 on SQLite


async def test_more_terms_in_the_title_rank_higher(engine: AsyncEngine) -> None:
    await add(engine, "欠费电费怎么交", "到营业厅。", minutes=0)
    await add(engine, "电费查询", "欠费的客户请及时缴费。", minutes=1)
    assert await titles(engine, "欠费 电费") == ["欠费电费怎么交", "电费查询"]


async def test_hits_carry_a_snippet_around_the_match(kb: AsyncEngine) -> None:
    [hit] = await search(kb, parse_query("违约金"))
    assert "违约金" in hit.snippet and "\n" not in hit.snippet
    assert hit.tags == ("欠费", "复电") and hit.category is None


async def test_archived_articles_are_not_found_until_restored(kb: AsyncEngine) -> None:
    [hit] = await search(kb, parse_query("违约金"))
    article, changed = await store.set_archived(kb, hit.id, True, actor="admin1", now=T0)
    assert changed and article.archived
    assert await titles(kb, "违约金") == [] and await titles(kb, "复电") == []
    assert (await store.set_archived(kb, hit.id, True, actor="admin1", now=T0))[1] is False
    await store.set_archived(kb, hit.id, False, actor="admin1", now=T0)
    assert await titles(kb, "违约金") == ["欠费停电后如何恢复供电"]
    await in_sync(kb)


async def test_the_index_follows_every_edit(kb: AsyncEngine) -> None:
    [old] = await search(kb, parse_query("违约金"))
    draft = check_draft("欠费复电", "缴清电费后二十四小时内送电。", "欠费", None, DEFAULT_AGENT_CATEGORIES)
    await store.update_article(kb, old.id, draft, version=1, actor="admin1", now=T0)
    assert await titles(kb, "违约金") == [] and await titles(kb, "恢复供电") == []
    assert await titles(kb, "二十四小时") == ["欠费复电"] and await titles(kb, "欠费复电") == ["欠费复电"]
    await in_sync(kb)


async def test_wildcards_and_fts_syntax_in_a_term_are_plain_text(kb: AsyncEngine) -> None:
    await add(kb, "折扣说明", "优惠 100% 免除，编号 A_1。", minutes=9)
    await add(kb, "面值说明", "面值 1000，编号 AB1。", minutes=10)
    for term in ("0%", "00%", "A_", "A_1"):  # % and _ match themselves only
        assert [h.title for h in await search(kb, Query((term,)))] == ["折扣说明"], term
    for hostile in ('电费" OR "停电', "NEAR(电费 停电)", "title:电费", "电费*", '"', "\\"):
        assert await search(kb, Query((hostile,))) == [], hostile


async def test_an_empty_query_finds_nothing(kb: AsyncEngine) -> None:
    assert await search(kb, parse_query("  ，")) == []
