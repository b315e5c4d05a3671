"""Scores are checked against the checklist as a whole: every item, whole points up to its maximum."""

from __future__ import annotations

import pytest

from hotline.quality.scoring import BadScore, score_form
from hotline.settings import ChecklistItem, Quality

CHECKLIST = Quality().checklist
FULL = {"score_greeting": "15", "score_agent_id": "10", "score_solution": "40", "score_courtesy": "25",
        "score_closing": "10"}  # fmt: skip


def test_the_default_checklist():
    assert [(i.label, i.max_points) for i in CHECKLIST] == [
        ("问候语规范", 15), ("报工号", 10), ("问题解决", 40), ("服务态度", 25), ("结束语", 10),
    ]  # fmt: skip
    assert Quality().max_total == 100


def test_full_marks_and_zero():
    full = score_form({**FULL, "comment": "  很好\r\n继续保持 "}, CHECKLIST)
    assert (full.total, full.max_total, full.comment) == (100, 100, "很好\n继续保持")
    zero = score_form({k: "0" for k in FULL}, CHECKLIST)
    assert (zero.total, zero.comment) == (0, None)
    assert zero.items[1] == {"id": "agent_id", "label": "报工号", "max": 10, "points": 0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"score_greeting": "16"}, "超过满分 15"),
        ({"score_closing": "0011"}, "无效"),
        ({"score_solution": "四十"}, "无效"),
        ({"score_solution": "١٢"}, "无效"),  # Arabic-Indic digits are digits, but not ASCII
        ({"score_courtesy": " "}, "未评分"),
        ({"comment": "a\x00b"}, "控制字符"),
        ({"comment": "x" * 501}, "最多 500"),
    ],
)
def test_refused(change, message):
    with pytest.raises(BadScore, match=message):
        score_form({**FULL, **change}, CHECKLIST)


def test_a_missing_item_is_refused():
    form = dict(FULL)
    del form["score_closing"]
    with pytest.raises(BadScore, match="“结束语”未评分"):
        score_form(form, CHECKLIST)


def test_a_configured_checklist():
    checklist = [ChecklistItem(id="a", label="甲", max_points=3)]
    assert score_form({"score_a": "3"}, checklist).total == 3
