"""A knowledge-base search as the agent typed it, made safe for SQL, and the snippet of a hit: pure.

A query is split into terms at whitespace and punctuation (Chinese or not: "欠费，复电？" is the
terms 欠费 and 复电); an article matches when it holds every term (in its title, tags or body).
Terms are substrings, not words: Chinese has no spaces, so 电费 finds 缴纳电费.

Trigram indexes (SQLite FTS5 trigram, PostgreSQL pg_trgm) can only look up terms of at least 3
characters (`TRIGRAM`). Shorter terms - common in Chinese: 电费, 停电, 报装 - are matched by
LIKE over the articles instead (the knowledge base is hundreds of rows, not millions). Every term
reaches SQL as a bound parameter: in a LIKE pattern with \\ % _ escaped (`like_pattern`), in an
FTS5 query as a quoted string with " doubled (`fts5_query`), so no input is ever query syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

QUERY_MAX = 50  # characters, as typed
TERMS_MAX = 5
TRIGRAM = 3
LIKE_ESCAPE = "\\"
SNIPPET_WIDTH = 60
SNIPPET_BEFORE = 16  # characters shown before the match


class QueryError(ValueError):
    """A search that is refused (too long, too many terms); the message can be shown as it is."""


@dataclass(frozen=True)
class Query:
    terms: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def text(self) -> str:
        """The terms joined by a space (for similarity ranking, and to show back)."""
        return " ".join(self.terms)

    @property
    def indexed_terms(self) -> tuple[str, ...]:
        """The terms a trigram index can look up."""
        return tuple(t for t in self.terms if len(t) >= TRIGRAM)

    @property
    def short_terms(self) -> tuple[str, ...]:
        """The terms too short for a trigram index (matched with LIKE)."""
        return tuple(t for t in self.terms if len(t) < TRIGRAM)


def _is_separator(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch.isspace() or category.startswith("P") or category in ("Cc", "Cf", "Cs", "Zl", "Zp")


def split_terms(text: str) -> list[str]:
    terms: list[str] = []
    current: list[str] = []
    for ch in text + " ":
        if _is_separator(ch):
            if current:
                terms.append("".join(current))
                current = []
        else:
            current.append(ch)
    return terms


def parse_query(raw: str | None) -> Query:
    """The terms of a search box's text, repeats dropped; QueryError if over the caps."""
    text = (raw or "").strip()
    if len(text) > QUERY_MAX:
        raise QueryError(f"搜索词过长：最多 {QUERY_MAX} 个字（现有 {len(text)} 个）")
    terms: list[str] = []
    for term in split_terms(text):
        if term.casefold() not in (t.casefold() for t in terms):
            terms.append(term)
    if len(terms) > TERMS_MAX:
        raise QueryError(f"关键词过多：最多 {TERMS_MAX} 个（现有 {len(terms)} 个）")
    return Query(tuple(terms))


def like_pattern(term: str) -> str:
    """`%term%` for LIKE/ILIKE ... ESCAPE '\\': the term's \\ % _ match themselves."""
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts5_query(terms: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression requiring every term: each a string in double quotes (" doubled
    inside), so FTS5 reads it as text, never as its query syntax (AND, NEAR, column:, *, ^)."""
    if not terms:
        raise ValueError("an FTS5 query needs at least one term")
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def snippet(body: str, terms: tuple[str, ...], width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of `body` (on one line) around its first match of a term, with …
    where text was cut; the start of the body if no term is in it. Plain text (the page escapes)."""
    flat = " ".join(body.split())
    found = re.search("|".join(map(re.escape, terms)), flat, re.IGNORECASE) if terms else None
    before = min(SNIPPET_BEFORE, width // 3)  # the match stays in a narrow window too
    start = max(0, found.start() - before) if found else 0
    end = min(len(flat), start + width)
    start = max(0, min(start, end - width))
    return ("…" if start > 0 else "") + flat[start:end] + ("…" if end < len(flat) else "")
