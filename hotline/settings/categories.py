"""`categories:`: the center's business categories, as data (seed 002's statistics).

Two ordered mappings key -> Chinese label, in the order the report lists them:

- `ivr_functions`: what the IVR serves by itself (停电预告查询, 投诉申告 ...): the menu's nodes name
  them, the report's 自动应答业务分类 table counts self-service calls by them;
- `agent_categories`: what the agent picks in wrap-up (业务咨询, 信息查询, 故障报修 ...): stored
  on the call by hotline.store.dispositions, counted in the 人工接听业务分类 table.

A key may be in both lists with a label per table (`complaint`: 投诉申告 as an IVR function,
投诉举报 as an agent category). A menu node's category must be a key of either list, and so must
an agent's skill (the ACD matches skills against the category of the menu's agent node).
Keys: the menu's id form (lower-case letters, digits, _; a letter first), at most 40 characters
(the calls' category columns); `unknown` is the report's key for calls without a category and
cannot be configured. Labels: 1-20 characters, each used once per list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, StringConstraints, ValidationError, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from hotline.config_text import StrictSection
from ivr.menu_vocab import CATEGORY_MAX_LEN, DEFAULT_AGENT_CATEGORIES, DEFAULT_IVR_FUNCTIONS, ID_PATTERN

UNCATEGORISED = "unknown"  # the report's key of a call without any category (未分类)
LABEL_MAX_LEN = 20
CategoryLabel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LABEL_MAX_LEN)
]


def _one_each(mapping: dict[str, str], what: str) -> dict[str, str]:
    """Refuse a key of another form, the reserved key and a label used twice, each at its key."""
    problems: list[InitErrorDetails] = []
    seen: dict[str, str] = {}
    for key, label in mapping.items():
        if not re.fullmatch(ID_PATTERN, key) or len(key) > CATEGORY_MAX_LEN:
            message = (
                f"category key {key!r}: lower-case letters, digits and _, a letter first, "
                f"at most {CATEGORY_MAX_LEN} characters"
            )
            problems.append(_problem(key, label, message))
        elif key == UNCATEGORISED:
            message = f"'{UNCATEGORISED}' is the report's key for calls without a category; use another key"
            problems.append(_problem(key, label, message))
        elif label in seen:
            problems.append(
                _problem(key, label, f"{what}: label '{label}' is already the label of '{seen[label]}'")
            )
        seen.setdefault(label, key)
    if problems:
        raise ValidationError.from_exception_data("categories", problems)
    return mapping


def _problem(key: str, label: str, message: str) -> InitErrorDetails:
    # "{message}" keeps braces in a label from being read as a template
    return InitErrorDetails(
        type=PydanticCustomError("category", "{message}", {"message": message}), loc=(key,), input=label
    )


class Categories(StrictSection):
    ivr_functions: dict[str, CategoryLabel] = Field(
        default_factory=lambda: dict(DEFAULT_IVR_FUNCTIONS),
        min_length=1,
        description="key -> label of what the IVR serves by itself, in the report's order",
    )
    agent_categories: dict[str, CategoryLabel] = Field(
        default_factory=lambda: dict(DEFAULT_AGENT_CATEGORIES),
        min_length=1,
        description="key -> label of what an agent picks in wrap-up, in the report's order",
    )

    @field_validator("ivr_functions", "agent_categories")
    @classmethod
    def _unique_labels(cls, v: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        return _one_each(v, str(info.field_name))

    @property
    def keys(self) -> tuple[str, ...]:
        """Every configured key, IVR functions first, each once: what a menu node may name."""
        return tuple(dict.fromkeys([*self.ivr_functions, *self.agent_categories]))

    @property
    def labels(self) -> dict[str, str]:
        """Every configured key -> its label (the agent table's where both lists have it): for
        pages that name a call's category, whichever list it came from."""
        return {key: self.agent_label(key) for key in self.keys}

    def ivr_label(self, key: str) -> str:
        """The IVR-function table's label of `key` (else the agent one's, else the key itself)."""
        return _label(key, self.ivr_functions, self.agent_categories)

    def agent_label(self, key: str) -> str:
        """The agent-category table's label of `key` (else the IVR one's, else the key itself: a
        category no longer configured still shows under its own name)."""
        return _label(key, self.agent_categories, self.ivr_functions)


def _label(key: str, first: Mapping[str, str], second: Mapping[str, str]) -> str:
    if key == UNCATEGORISED:
        return "未分类"
    return first.get(key) or second.get(key) or key
