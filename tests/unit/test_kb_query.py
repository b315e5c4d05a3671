"""The knowledge base's search input: split into terms, capped, escaped for LIKE and FTS5, bound
(never spliced) into the SQL of both databases; and the snippet of a hit."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from hotline.kb.query import (
    QUERY_MAX,
    TERMS_MAX,
    Query,
    QueryError,
    fts5_query,
    like_pattern,
    parse_query,
    snippet,
)
from hotline.kb.search import LIMIT_MAX, search_statement

DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.asyncpg.dialect()}


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("电费", ("电费",)),
        ("  欠费 复电 ", ("欠费", "复电")),
        ("欠费，复电？", ("欠费", "复电")),  # Chinese punctuation separates
        ("欠费\u3000复电", ("欠费", "复电")),  # the ideographic space too
        ("停电\u200b预告", ("停电", "预告")),  # and an invisible zero-width space
        ('"电费" OR 复电*', ("电费", "OR", "复电")),  # quotes and * are punctuation: never syntax
        ("App app APP 电费", ("App", "电费")),  # repeats dropped, regardless of case
        ("", ()),
        (None, ()),
        ("，。！", ()),
    ],
)
def test_terms(typed: str | None, terms: tuple[str, ...]) -> None:
    assert parse_query(typed).terms == terms


def test_short_terms_go_to_like_and_long_ones_to_the_index() -> None:
    query = parse_query("电 电费 缴纳电费 95598")
    assert query.short_terms == ("电", "电费")
    assert query.indexed_terms == ("缴纳电费", "95598")
    assert query.text == "电 电费 缴纳电费 95598"


def test_the_caps() -> None:
    assert parse_query("电" * QUERY_MAX).terms == ("电" * QUERY_MAX,)
    with pytest.raises(QueryError, match="最多 50 个字"):
        parse_query("电" * (QUERY_MAX + 1))
    assert len(parse_query(" ".join("一二三四五")).terms) == TERMS_MAX
    with pytest.raises(QueryError, match="关键词过多"):
        parse_query(" ".join("一二三四五六"))


@pytest.mark.parametrize(
    ("term", "pattern"),
    [
        ("电费", "%电费%"),
        ("100%", "%100\\%%"),
        ("a_b", "%a\\_b%"),
        ("c:\\x", "%c:\\\\x%"),
        ("\\%_", "%\\\\\\%\\_%"),
    ],
)
def test_like_patterns_escape_the_wildcards(term: str, pattern: str) -> None:
    assert like_pattern(term) == pattern


def test_fts5_terms_are_quoted_strings() -> None:
    assert fts5_query(("缴纳电费",)) == '"缴纳电费"'
    assert fts5_query(("欠费停电", "恢复供电")) == '"欠费停电" AND "恢复供电"'
    assert fts5_query(('a"b',)) == '"a""b"'
    hostile = ("NEAR(电费 复电)", "title:电费", "电费*", "^电费", "NOT")
    assert fts5_query(hostile) == " AND ".join(f'"{t}"' for t in hostile)
    with pytest.raises(ValueError):
        fts5_query(())


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_term_is_bound_never_spliced(dialect: str) -> None:
    hostile = "x' OR 1=1; DROP TABLE kb_articles; --"  # the parser would split it; built directly
    query = Query((hostile, "电费"))
    compiled = search_statement(query, dialect).compile(dialect=DIALECTS[dialect])
    sql = str(compiled)
    assert "DROP TABLE" not in sql and "电费" not in sql
    params = [str(v) for v in compiled.params.values()]
    assert any("DROP TABLE" in p for p in params) and any("电费" in p for p in params)


def test_sqlite_looks_up_long_terms_in_fts5_and_short_ones_with_like() -> None:
    def sql(typed: str) -> str:
        return str(search_statement(parse_query(typed), "sqlite").compile(dialect=DIALECTS["sqlite"]))

    assert "MATCH" in sql("缴纳电费") and "bm25(kb_articles_fts" in sql("缴纳电费")
    assert "MATCH" not in sql("电费")  # a trigram index cannot look up 2 characters
    assert "MATCH" in sql("电费 缴纳电费")


def test_postgresql_uses_ilike_and_similarity() -> None:
    compiled = search_statement(parse_query("电费 缴纳电费"), "postgresql").compile(
        dialect=DIALECTS["postgresql"]
    )
    sql = str(compiled)
    assert "ILIKE" in sql and "similarity(kb_articles.title" in sql and "MATCH" not in sql


def test_limit_is_capped_and_an_empty_query_is_refused() -> None:
    def limit_of(asked: int) -> str:
        stmt = search_statement(parse_query("电费"), "sqlite", limit=asked)
        return str(stmt.compile(dialect=DIALECTS["sqlite"], compile_kwargs={"literal_binds": True}))

    assert limit_of(10_000).endswith(f"LIMIT {LIMIT_MAX} OFFSET 0")
    assert limit_of(0).endswith("LIMIT 1 OFFSET 0") and limit_of(7).endswith("LIMIT 7 OFFSET 0")
    with pytest.raises(ValueError):
        search_statement(Query(()), "sqlite")


BODY = (
    "您好，缴纳电费有以下几种方式：\n1. 手机缴费：在网上国网App输入户号缴费；\n2. 银行代扣；\n3. 营业厅缴费。"
)


def test_snippet_is_one_line_around_the_first_match() -> None:
    got = snippet(BODY, ("银行",), width=20)  # 6 (a third of the width) before the match
    assert got == "…费； 2. 银行代扣； 3. 营业厅缴费…"
    assert "\n" not in got


def test_snippet_without_a_match_is_the_start() -> None:
    assert snippet(BODY, ("复电",), width=10) == "您好，缴纳电费有以下…"
    assert snippet("短", (), width=10) == "短"


def test_snippet_matches_ascii_regardless_of_case_and_takes_terms_as_text() -> None:
    assert snippet(BODY, ("app",), width=12) == "…网上国网App输入户号缴…"
    assert snippet("a.b 和 axb", ("a.b",), width=3) == "a.b…"
    assert snippet("x" * 100 + "电费", ("电费",), width=10) == "…xxxxxxxx电费"
