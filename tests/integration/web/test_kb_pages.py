"""The knowledge base's pages with real logins: who may read and who may edit, the search JSON
the agent desk embeds, stored text shown as text, and every refused change changing nothing."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kb_web import KbWeb, build_kb_web, token
from sqlalchemy.ext.asyncio import AsyncEngine
from web_harness import Clock, settings

from hotline.kb import store

READ = ["/kb", "/kb?q=电费", "/kb/search?q=电费", "/kb/1"]
EDIT = ["/kb/admin", "/kb/admin/new", "/kb/admin/1/edit"]
EXPECTED = {  # user -> status of every GET (asking for JSON, so logged out is 401, not a redirect)
    None: dict.fromkeys(READ + EDIT, 401),
    "li": {**dict.fromkeys(READ, 200), **dict.fromkeys(EDIT, 403)},
    "wang": {**dict.fromkeys(READ, 200), **dict.fromkeys(EDIT, 403)},
    "zhao": dict.fromkeys(READ + EDIT, 200),
}
XSS = '<script>alert("kb")</script>电费'


@pytest.fixture
async def kbw(
    engine: AsyncEngine, db_url: str, tmp_path: Path, clock: Clock, offload: ThreadPoolExecutor
) -> KbWeb:
    web = await build_kb_web(engine, settings(db_url, tmp_path), clock, offload)
    await web.article("如何缴纳电费", "可通过网上国网App缴纳电费。", "缴费", "consultation")
    return web


async def test_who_may_read_and_who_may_edit(kbw: KbWeb) -> None:
    got = {}
    for user in EXPECTED:
        async with kbw.as_(user) as c:
            got[user] = {
                p: (await c.get(p, headers={"accept": "application/json"})).status_code for p in READ + EDIT
            }
    assert got == EXPECTED


async def test_the_search_json_for_the_desk(kbw: KbWeb) -> None:
    await kbw.article("欠费停电后如何恢复供电", "结清电费及违约金后 24 小时内恢复供电。", "欠费 复电")
    async with kbw.as_("li") as c:
        r = await c.get("/kb/search", params={"q": "电费"})
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        assert r.json() == {
            "query": "电费",
            "terms": ["电费"],
            "results": [
                {
                    "id": 1,
                    "title": "如何缴纳电费",
                    "snippet": "可通过网上国网App缴纳电费。",
                    "tags": ["缴费"],
                    "category": "consultation",
                    "category_label": "业务咨询",
                    "url": "/kb/1",
                },
                {
                    "id": 2,
                    "title": "欠费停电后如何恢复供电",
                    "snippet": "结清电费及违约金后 24 小时内恢复供电。",
                    "tags": ["欠费", "复电"],
                    "category": None,
                    "category_label": None,
                    "url": "/kb/2",
                },
            ],
        }
        assert [h["id"] for h in (await c.get("/kb/search?q=电费&limit=1")).json()["results"]] == [1]
        assert (await c.get("/kb/search?q=")).json()["results"] == []
        for bad in ("q=" + "电" * 51, "q=a b c d e f", "q=电费&limit=0", "q=电费&limit=x", "q=电费&limit=51"):
            r = await c.get(f"/kb/search?{bad}")
            assert r.status_code == 400 and r.json()["error"], bad


async def test_the_search_page_renders_results_and_refusals(kbw: KbWeb) -> None:
    async with kbw.as_("wang") as c:
        page = (await c.get("/kb?q=电费")).text
        assert "找到 1 篇" in page and 'href="/kb/1"' in page and "业务咨询" in page
        assert '/static/kb.js" defer></script>' in page
        r = await c.get("/kb", params={"q": "电" * 51})
        assert r.status_code == 400 and "搜索词过长" in r.text
        assert (await c.get("/static/kb.js")).status_code == 200


async def test_stored_text_is_shown_as_text(kbw: KbWeb) -> None:
    article_id = await kbw.article(XSS, '<img src=x onerror="alert(1)">缴纳电费', "<b>")
    escaped = "&lt;script&gt;alert(&#34;kb&#34;)&lt;/script&gt;电费"
    async with kbw.as_("zhao") as c:
        for path in ("/kb?q=电费", f"/kb/{article_id}", "/kb/admin", f"/kb/admin/{article_id}/edit"):
            html = (await c.get(path)).text
            assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html, path
            assert escaped in html, path
        r = await c.get("/kb/search?q=电费")
        assert r.headers["content-type"] == "application/json"  # the desk sets it as text
        assert [h["title"] for h in r.json()["results"] if h["id"] == article_id] == [XSS]


async def test_an_admin_creates_edits_archives_and_restores_audited(kbw: KbWeb) -> None:
    async with kbw.as_("zhao") as c:
        form = {"csrf_token": await token(c), "title": "停电信息查询", "body": "计划停电提前 7 天公告。"}
        r = await c.post("/kb/admin/new", data=form | {"tags": "停电，预告", "category": "information_query"})
        assert r.status_code == 303 and r.headers["location"] == "/kb/2"
        r = await c.post(
            "/kb/admin/2/edit", data=form | {"body": "临时检修提前 24 小时公告。", "version": "1"}
        )
        assert r.status_code == 303
        article = await store.get_article(kbw.engine, 2)
        assert article is not None and (article.body, article.tags, article.category, article.version) == (
            "临时检修提前 24 小时公告。",
            (),
            None,
            2,
        )
        assert (
            await c.post("/kb/admin/2/archive", data={"csrf_token": form["csrf_token"]})
        ).status_code == 303
        assert (
            await c.post("/kb/admin/2/archive", data={"csrf_token": form["csrf_token"]})
        ).status_code == 303
        assert "此文章已于" in (await c.get("/kb/2")).text  # the admin still reads it
        async with kbw.as_("li") as agent:
            assert (await agent.get("/kb/2")).status_code == 404
            assert (await agent.get("/kb/search?q=临时检修")).json()["results"] == []
        assert (
            await c.post("/kb/admin/2/restore", data={"csrf_token": form["csrf_token"]})
        ).status_code == 303
        assert [h["id"] for h in (await c.get("/kb/search?q=临时检修")).json()["results"]] == [2]
    audits = await kbw.audits()
    assert [(a, u) for a, u, _ in audits] == [
        ("kb_create", "zhao"),
        ("kb_edit", "zhao"),
        ("kb_archive", "zhao"),  # once: the second archive changed nothing
        ("kb_restore", "zhao"),
    ]
    assert json.loads(audits[1][2]) == {"id": 2, "title": "停电信息查询", "version": 2}


async def test_bad_input_is_shown_on_the_form_and_changes_nothing(kbw: KbWeb) -> None:
    async with kbw.as_("zhao") as c:
        data = {
            "csrf_token": await token(c),
            "title": " ",
            "body": "答复",
            "tags": "标" * 21,
            "category": "x",
        }
        r = await c.post("/kb/admin/new", data=data)
        assert r.status_code == 400
        assert 'data-field="title">不能为空' in r.text and "每个标签最多 20 个字" in r.text
        assert "未知的业务分类" in r.text and 'value="标标标' in r.text  # what was typed stays
        taken = data | {"title": "如何缴纳电费", "tags": "", "category": ""}
        r = await c.post("/kb/admin/new", data=taken)
        assert r.status_code == 409 and "已被文章 #1 使用" in r.text
        stale = taken | {"body": "改过", "version": "0"}
        r = await c.post("/kb/admin/1/edit", data=stale)
        assert r.status_code == 409 and "已被他人修改" in r.text
        assert (
            await c.post("/kb/admin/99/archive", data={"csrf_token": data["csrf_token"]})
        ).status_code == 404
        assert (await c.get("/kb/admin/99999999999999999999/edit")).status_code == 404
    [only] = await store.list_articles(kbw.engine, include_archived=True)
    assert (only.title, only.body, only.version) == ("如何缴纳电费", "可通过网上国网App缴纳电费。", 1)
    assert await kbw.audits() == []


async def test_a_post_without_the_csrf_token_changes_nothing(kbw: KbWeb) -> None:
    async with kbw.as_("zhao") as c:
        form = {"title": "新文章", "body": "答复", "version": "1"}
        for path, data in (
            ("/kb/admin/new", form),
            ("/kb/admin/1/edit", form | {"csrf_token": "forged"}),
            ("/kb/admin/1/archive", {}),
        ):
            r = await c.post(path, data=data)
            assert r.status_code == 403 and "CSRF" in r.text, path
    [only] = await store.list_articles(kbw.engine, include_archived=True)
    assert (only.title, only.version, only.archived) == ("如何缴纳电费", 1, False)
    assert await kbw.audits() == []


async def test_agents_and_supervisors_cannot_change_articles(kbw: KbWeb) -> None:
    for user in ("li", "wang"):
        async with kbw.as_(user) as c:
            data = {"csrf_token": await token(c), "title": "新文章", "body": "答复"}
            assert (await c.post("/kb/admin/new", data=data)).status_code == 403
            assert (await c.post("/kb/admin/1/archive", data=data)).status_code == 403
    assert [a.title for a in await store.list_articles(kbw.engine)] == ["如何缴纳电费"]
