"""A supervisor's scores for one call, checked against the configured checklist: pure.

The form has one field per checklist item, `score_<id>`, a whole number from 0 to the item's
maximum, and an optional comment. Anything else - a missing item, a fraction, a score over the
maximum - is refused as a whole (BadScore, in Chinese): nothing of it is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotline.config_text import control_char
from hotline.quality.models import COMMENT_MAX
from hotline.settings import ChecklistItem


class BadScore(ValueError):
    """Scores that cannot be saved; the message names the item."""


@dataclass(frozen=True)
class Scored:
    items: list[dict[str, Any]]  # [{"id", "label", "max", "points"}] as stored in quality_reviews.scores
    total: int
    max_total: int
    comment: str | None


def _points(text: str, item: ChecklistItem) -> int:
    value = text.strip()
    if not value:
        raise BadScore(f"“{item.label}”未评分")
    if not (value.isascii() and value.isdigit()) or len(value) > 3:
        raise BadScore(f"“{item.label}”的得分 “{value[:10]}” 无效：应为 0 到 {item.max_points} 的整数")
    points = int(value)
    if points > item.max_points:
        raise BadScore(f"“{item.label}”的得分 {points} 超过满分 {item.max_points}")
    return points


def _comment(text: str) -> str | None:
    comment = text.strip().replace("\r\n", "\n")
    if len(comment) > COMMENT_MAX:
        raise BadScore(f"评语最多 {COMMENT_MAX} 个字")
    bad = control_char(comment.replace("\n", ""))
    if bad:
        raise BadScore(f"评语含有控制字符（{bad}）")
    return comment or None


def score_form(form: Mapping[str, str], checklist: Sequence[ChecklistItem]) -> Scored:
    """The scores of `form`, or BadScore for the first problem."""
    points = [_points(form.get(f"score_{item.id}", ""), item) for item in checklist]
    items: list[dict[str, Any]] = [
        {"id": item.id, "label": item.label, "max": item.max_points, "points": p}
        for item, p in zip(checklist, points, strict=True)
    ]
    return Scored(
        items=items,
        total=sum(points),
        max_total=sum(item.max_points for item in checklist),
        comment=_comment(form.get("comment", "")),
    )
