"""An article as typed: tidied, and every bad field named with its reason (in Chinese)."""

from __future__ import annotations

import pytest

from hotline.kb.drafts import (
    BODY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    Draft,
    InvalidArticle,
    check_draft,
    split_tags,
)
from ivr.menu_vocab import DEFAULT_AGENT_CATEGORIES

CATEGORIES = tuple(DEFAULT_AGENT_CATEGORIES)


def draft(
    title: str = "如何缴纳电费",
    body: str = "网上国网App缴费。",
    tags: object = "",
    category: str | None = None,
) -> Draft:
    return check_draft(title, body, tags, category, CATEGORIES)  # type: ignore[arg-type]


def problems(**kwargs: object) -> dict[str, str]:
    with pytest.raises(InvalidArticle) as caught:
        draft(**kwargs)  # type: ignore[arg-type]
    return caught.value.errors


def test_a_good_article_is_tidied() -> None:
    got = draft(
        "  如何  缴纳电费 ",
        "\r\n\r\n第一行  \r\n\r\n第二行\t\n\n",
        "缴费，电费、 缴费;网上国网",
        " consultation ",
    )
    assert got == Draft("如何 缴纳电费", "第一行\n\n第二行", ("缴费", "电费", "网上国网"), "consultation")
    assert got.tags_text == "缴费 电费 网上国网"


def test_tags_from_a_list_or_a_text() -> None:
    assert split_tags(["App", " app ", "电费", ""]) == ("App", "电费")
    assert split_tags("") == ()
    assert draft(category="").category is None


def test_every_bad_field_at_once() -> None:
    errors = problems(
        title=" ", body="\n \n", tags=[f"标签{i}" for i in range(TAGS_MAX + 1)], category="billing"
    )
    assert set(errors) == {"title", "body", "tags", "category"}
    assert errors["title"] == "不能为空" and errors["body"] == "不能为空"
    assert "最多 10 个" in errors["tags"]
    assert "未知的业务分类 'billing'" in errors["category"] and "consultation" in errors["category"]


def test_the_lengths() -> None:
    assert (
        draft(title="问" * TITLE_MAX, body="答" * BODY_MAX, tags=["标" * TAG_MAX]).title == "问" * TITLE_MAX
    )
    errors = problems(title="问" * (TITLE_MAX + 1), body="答" * (BODY_MAX + 1), tags=["标" * (TAG_MAX + 1)])
    assert errors["title"] == f"最多 {TITLE_MAX} 个字（现有 {TITLE_MAX + 1} 个）"
    assert errors["body"] == f"最多 {BODY_MAX} 个字（现有 {BODY_MAX + 1} 个）"
    assert "每个标签最多 20 个字" in errors["tags"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "电费\x00"),
        ("title", "电费\u202e费电"),  # a right-to-left override: reads differently than stored
        ("body", "答复\x1b[31m"),
        ("tags", ["电\u2066费"]),
    ],
)
def test_control_characters_are_refused(field: str, value: object) -> None:
    errors = problems(**{field: value})
    assert list(errors) == [field] and "控制字符" in errors[field]


def test_a_tag_is_one_word() -> None:
    assert "一个标签是一个词" in problems(tags=["电 费"])["tags"]


def test_the_message_names_the_fields_in_chinese() -> None:
    with pytest.raises(InvalidArticle, match="标题：不能为空；答复内容：不能为空"):
        draft(title="", body="")
