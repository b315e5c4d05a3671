"""`hotline kb import|list`: the shipped starter file imports; a file with any bad entry imports
nothing and names every problem with its line (exit 2); a known title is updated or restored.
SQLite only (the import's SQL is the store's, tested on both databases in test_kb_store)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hotline.cli import app
from hotline.kb import store
from hotline.kb.models import KbArticleVersionRow
from hotline.kb.query import parse_query
from hotline.kb.search import search
from hotline.store.db import make_engine, upgrade
from hotline.store.web_models import AuditRow

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "kb.yaml"


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = tmp_path / "hotline.yaml"
    path.write_text(
        f"company: X\ndatabase:\n  url: sqlite+aiosqlite:///{tmp_path / 'h.db'}\n", encoding="utf-8"
    )
    return path


def kb(conf: Path, *args: str):
    result = CliRunner().invoke(app, ["kb", *args, "--config", str(conf)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def in_store(conf: Path, work):
    async def run():
        url = f"sqlite+aiosqlite:///{conf.parent / 'h.db'}"
        await upgrade(url)  # a refused import never opened the store
        engine = make_engine(url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_the_shipped_starter_file_imports_and_is_found(conf: Path) -> None:
    first = kb(conf, "import", str(SHIPPED))
    assert first.exit_code == 0, first.output
    assert "11 article(s)" in first.stdout and "11 added, 0 updated" in first.stdout
    again = kb(conf, "import", str(SHIPPED))
    assert "0 added, 0 updated (0 of them restored from the archive), 11 unchanged" in again.stdout
    hits = in_store(conf, lambda e: search(e, parse_query("违约金")))
    assert [h.title for h in hits] == ["欠费停电后如何恢复供电"]
    listed = kb(conf, "list")
    assert listed.exit_code == 0 and "如何缴纳电费" in listed.stdout and "业务咨询" in listed.stdout
    audits = in_store(conf, lambda e: _all(e, select(AuditRow.action, AuditRow.username)))
    assert [a.action for a in audits] == ["kb_import", "kb_import"] and audits[0].username.startswith("cli:")


async def _all(engine, query):
    async with engine.connect() as conn:
        return list((await conn.execute(query)).all())


BAD = """\
articles:
  - title: 如何缴纳电费
    body: 网上国网App缴费。
  - title: 如何复电
    answer: 结清欠费后恢复供电。
  - title: 如何缴纳电费
    body: 重复的标题。
  - title: 报装资料
    body: 身份证。
    category: billing
  - 只有一行字
  - title: [不是, 文字]
    body: 答复。
"""


def test_a_file_with_bad_entries_imports_nothing_and_names_every_line(conf: Path, tmp_path: Path) -> None:
    bad = tmp_path / "kb.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = kb(conf, "import", str(bad))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines == [
        f"{bad}:5: articles[1].answer: unknown key (known: title, body, tags, category)",
        f"{bad}:4: articles[1]: body is missing",
        f"{bad}:6: articles[2].title: also the title on line 2",
        f"{bad}:10: articles[3].category: 未知的业务分类 'billing'（可选：consultation, information_query, "
        "fault_repair, new_connection, complaint, theft_report, other）",
        f"{bad}:11: articles[4]: an article must be a mapping of title, body, tags, category",
        f"{bad}:12: articles[5].title: must be text",
        "6 error(s): nothing was imported",
    ]
    assert in_store(conf, store.list_articles) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("articles: [\n", ":2: "),  # not YAML: the parser's line
        ("articles: []\n", ":1: the file must be a mapping with a non-empty list `articles:`"),
        ("- title: x\n", ":1: the file must be a mapping"),
        ("articles:\n  - &a {title: x, body: y}\n", "anchors/aliases are not allowed"),
    ],
)
def test_a_file_that_is_not_an_article_list(conf: Path, tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "kb.yaml"
    bad.write_text(text, encoding="utf-8")
    result = kb(conf, "import", str(bad))
    assert result.exit_code == 2 and message in result.stderr and str(bad) in result.stderr


def test_a_missing_file(conf: Path, tmp_path: Path) -> None:
    result = kb(conf, "import", str(tmp_path / "none.yaml"))
    assert result.exit_code == 2 and "cannot read file" in result.stderr


def test_a_known_title_is_updated_and_an_archived_one_restored(conf: Path, tmp_path: Path) -> None:
    path = tmp_path / "kb.yaml"
    path.write_text("articles:\n  - {title: 甲, body: 一}\n  - {title: 乙, body: 二}\n", encoding="utf-8")
    assert kb(conf, "import", str(path)).exit_code == 0
    [a, b] = in_store(conf, store.list_articles)
    now = datetime(2026, 12, 3, tzinfo=UTC)
    in_store(conf, lambda e: store.set_archived(e, b.id, True, actor="admin1", now=now))
    assert "乙" not in kb(conf, "list").stdout and "archived" in kb(conf, "list", "--all").stdout
    entries = ["{title: 甲, body: 一改, tags: [改过]}", "{title: 乙, body: 二}", "{title: 丙, body: 三}"]
    path.write_text("articles:\n" + "".join(f"  - {e}\n" for e in entries), encoding="utf-8")
    result = kb(conf, "import", str(path))
    assert "1 added, 2 updated (1 of them restored from the archive), 0 unchanged" in result.stdout
    after = {x.title: x for x in in_store(conf, store.list_articles)}
    assert (after["甲"].body, after["甲"].tags, after["甲"].version) == ("一改", ("改过",), 2)
    assert not after["乙"].archived and after["乙"].version == 3
    query = select(KbArticleVersionRow.action).order_by(KbArticleVersionRow.id)
    actions = [r.action for r in in_store(conf, lambda e: _all(e, query))]
    assert actions == ["imported", "imported", "archived", "imported", "imported", "imported"]
