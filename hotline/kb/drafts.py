"""An article as an admin typed it (console form or YAML entry), checked and tidied: pure.

`check_draft` returns a `Draft` or raises `InvalidArticle` naming every bad field (a Chinese
message per field, shown beside the field on the form, or with its line by the importer).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

TITLE_MAX = 80
BODY_MAX = 5000
TAG_MAX = 20
TAGS_MAX = 10
FIELDS = {"title": "标题", "body": "答复内容", "tags": "标签", "category": "业务分类"}
TAG_SEPARATORS = re.compile(r"[\s,，、;；]+")
# text direction overrides and isolates: they make a title read differently than it is stored
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class KbError(ValueError):
    """A knowledge-base request that cannot be done; the message can be shown as it is."""


class InvalidArticle(KbError):
    """Every bad field of an article: `errors` maps a field (FIELDS) to its problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("；".join(f"{FIELDS.get(k, k)}：{v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Draft:
    title: str
    body: str
    tags: tuple[str, ...]
    category: str | None  # an agent category key

    @property
    def tags_text(self) -> str:
        """The tags as stored: joined by one space."""
        return " ".join(self.tags)


def _bad_character(text: str, *, newlines: bool) -> str | None:
    allowed = "\n\t" if newlines else ""
    for ch in text:
        if ch in BIDI_CONTROLS or (unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed):
            return f"含有不可见的控制字符 U+{ord(ch):04X}"
    return None


def tidy_title(title: str) -> str:
    return " ".join(title.split())


def tidy_body(body: str) -> str:
    """Newlines as \\n, no trailing spaces, no blank lines around the text."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def split_tags(tags: str | Sequence[str]) -> tuple[str, ...]:
    """Tags from a text (separated by spaces, commas, 、 or ;) or a list; repeats dropped."""
    parts = TAG_SEPARATORS.split(tags) if isinstance(tags, str) else [str(t).strip() for t in tags]
    kept: list[str] = []
    folded: set[str] = set()
    for part in parts:
        if part and part.casefold() not in folded:
            kept.append(part)
            folded.add(part.casefold())
    return tuple(kept)


def _check_title(title: str) -> str | None:
    if not title:
        return "不能为空"
    if len(title) > TITLE_MAX:
        return f"最多 {TITLE_MAX} 个字（现有 {len(title)} 个）"
    return _bad_character(title, newlines=False)


def _check_body(body: str) -> str | None:
    if not body:
        return "不能为空"
    if len(body) > BODY_MAX:
        return f"最多 {BODY_MAX} 个字（现有 {len(body)} 个）"
    return _bad_character(body, newlines=True)


def _check_tags(tags: Sequence[str]) -> str | None:
    if len(tags) > TAGS_MAX:
        return f"最多 {TAGS_MAX} 个（现有 {len(tags)} 个）"
    for tag in tags:
        if len(tag) > TAG_MAX:
            return f"“{tag[:TAG_MAX]}…”过长：每个标签最多 {TAG_MAX} 个字"
        if TAG_SEPARATORS.search(tag):
            return f"“{tag}”含有空格或分隔符：一个标签是一个词"
        if problem := _bad_character(tag, newlines=False):
            return problem
    return None


def _check_category(category: str | None, categories: Collection[str]) -> str | None:
    if category is None or category in categories:
        return None
    return f"未知的业务分类 {category!r}（可选：{', '.join(categories) or '无'}）"


def check_draft(
    title: str,
    body: str,
    tags: str | Sequence[str],
    category: str | None,
    categories: Collection[str],
) -> Draft:
    """The tidied article; InvalidArticle with every problem. `category` "" or None = none;
    `categories`: the agent category keys the center configured."""
    draft = Draft(
        title=tidy_title(title),
        body=tidy_body(body),
        tags=split_tags(tags),
        category=(category or "").strip() or None,
    )
    problems = {
        "title": _check_title(draft.title),
        "body": _check_body(draft.body),
        "tags": _check_tags(draft.tags),
        "category": _check_category(draft.category, categories),
    }
    errors = {field: problem for field, problem in problems.items() if problem}
    if errors:
        raise InvalidArticle(errors)
    return draft
