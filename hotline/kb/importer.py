"""Importing articles from a YAML file (`hotline kb import`): all of them or none.

    articles:
      - title: 如何缴纳电费            # the key: an article with this title is updated
        category: consultation        # optional: an agent category key
        tags: [缴费, 电费]             # optional: a list, or one text "缴费 电费"
        body: |
          ...

Every entry is checked first and every problem is reported as `file:line: ...`; only a clean
file is written, in one transaction: a new title adds an article, a known one (archived too:
it is restored) gets the file's text as a new version, an identical one is left alone.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.kb.drafts import FIELDS, Draft, InvalidArticle, check_draft
from hotline.kb.store import fetch_by_title, insert_article, save_article
from ivr.yaml_source import Located, YamlSyntaxError, load_yaml

MAX_FILE_BYTES = 4 * 1024 * 1024  # some thousand articles; a config file's cap is 256 KiB
OPTIONAL = {"tags": "", "category": None}


class KbImportError(ValueError):
    """Every problem of an import file, each as `file:line: message`."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    restored: int = 0  # archived articles the file brought back (counted in updated too)
    unchanged: int = 0


def _at(doc: Located, index: int, key: str | None = None) -> str:
    """`file:line: articles[i].key` of an entry or of one of its keys."""
    loc: tuple[Any, ...] = ("articles", index) if key is None else ("articles", index, key)
    return f"{doc.where(loc)}: articles[{index}]" + (f".{key}" if key else "")


def _entry_problems(doc: Located, index: int, entry: object) -> tuple[dict[str, Any] | None, list[str]]:
    """The entry's fields, or its structural problems (not a mapping, unknown/missing keys)."""
    known = ", ".join(FIELDS)
    if not isinstance(entry, dict):
        return None, [f"{_at(doc, index)}: an article must be a mapping of {known}"]
    problems = [f"{_at(doc, index, key)}: unknown key (known: {known})" for key in entry if key not in FIELDS]
    problems += [f"{_at(doc, index)}: {key} is missing" for key in ("title", "body") if key not in entry]
    for key in FIELDS:
        value = entry.get(key)
        text_ok = isinstance(value, str) or (value is None and key in OPTIONAL)
        if key in entry and not (text_ok or (key == "tags" and isinstance(value, list))):
            problems.append(f"{_at(doc, index, key)}: must be text")
    return (None, problems) if problems else (entry, [])


def _draft(doc: Located, index: int, entry: dict[str, Any], categories: Collection[str]) -> Draft:
    tags = entry.get("tags") or ""
    if isinstance(tags, list):
        tags = [str(t) for t in tags]
    try:
        return check_draft(entry["title"], entry["body"], tags, entry.get("category"), categories)
    except InvalidArticle as exc:
        raise KbImportError([f"{_at(doc, index, f)}: {m}" for f, m in exc.errors.items()]) from None


def drafts_from(doc: Located, categories: Collection[str]) -> list[Draft]:
    """The checked articles of a parsed file; KbImportError lists every problem."""
    articles = doc.data.get("articles") if isinstance(doc.data, dict) else None
    if not isinstance(articles, list) or not articles:
        raise KbImportError([f"{doc.path}:1: the file must be a mapping with a non-empty list `articles:`"])
    errors: list[str] = []
    drafts: list[Draft] = []
    first_line: dict[str, int] = {}
    for index, entry in enumerate(articles):
        fields, problems = _entry_problems(doc, index, entry)
        errors += problems
        if fields is None:
            continue
        try:
            draft = _draft(doc, index, fields, categories)
        except KbImportError as exc:
            errors += exc.errors
            continue
        if draft.title in first_line:
            errors.append(f"{_at(doc, index, 'title')}: also the title on line {first_line[draft.title]}")
        first_line.setdefault(draft.title, doc.line_of(("articles", index, "title")))
        drafts.append(draft)
    if errors:
        raise KbImportError(errors)
    return drafts


def read_drafts(path: Path, categories: Collection[str]) -> list[Draft]:
    """The checked articles of the file at `path`; KbImportError for any problem."""
    try:
        doc = load_yaml(path, max_bytes=MAX_FILE_BYTES)
    except YamlSyntaxError as exc:
        raise KbImportError([str(exc)]) from None
    return drafts_from(doc, categories)


async def _import_one(conn: AsyncConnection, draft: Draft, actor: str, now: datetime) -> str:
    """'added', 'updated', 'restored' or 'unchanged'."""
    current = await fetch_by_title(conn, draft.title)
    if current is None:
        await insert_article(conn, draft, actor=actor, now=now, action="imported")
        return "added"
    same = (current.body, current.tags, current.category) == (draft.body, draft.tags, draft.category)
    if same and not current.archived:
        return "unchanged"
    changes = {"body": draft.body, "tags": draft.tags_text, "category": draft.category}
    changes |= {"archived_at": None, "archived_by": None}
    await save_article(conn, current.id, current.version, changes, action="imported", actor=actor, now=now)
    return "restored" if current.archived else "updated"


async def import_drafts(
    engine: AsyncEngine, drafts: Sequence[Draft], *, actor: str, now: datetime
) -> ImportResult:
    """Write the articles in one transaction (all or none)."""
    counts = {"added": 0, "updated": 0, "restored": 0, "unchanged": 0}
    async with engine.begin() as conn:
        for draft in drafts:
            counts[await _import_one(conn, draft, actor, now)] += 1
    return ImportResult(
        added=counts["added"],
        updated=counts["updated"] + counts["restored"],
        restored=counts["restored"],
        unchanged=counts["unchanged"],
    )
