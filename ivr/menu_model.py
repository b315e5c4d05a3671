"""The voice menu as data: the checked, immutable `Menu` and the header of its file.

A menu file (`config/menu.yaml`) has `version`, `retries`, `digit_timeout_s`, `start` (the top
menu), `agent` (the node key 0 leads to), an optional `greeting` prompt and `nodes: {id: node}`.
The node kinds are in `menu_nodes`, the vocabularies (default categories, keys, the prompts the
core plays by itself) in `menu_vocab`; both are re-exported here. `menu_validate` checks the graph
and builds `Menu`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .menu_nodes import (
    ENTRY_KINDS,
    NODE_KINDS,
    AgentNode,
    AnnounceNode,
    BillQueryNode,
    CollectNode,
    GotoNode,
    HangupNode,
    MenuNode,
    Node,
    OutageQueryNode,
    RecordNode,
    SurveyNode,
)
from .menu_vocab import (
    AGENT_KEY,
    ALWAYS_NEEDED,
    CATEGORY_MAX_LEN,
    CONFIRM_ENTRY,
    DEFAULT_AGENT_CATEGORIES,
    DEFAULT_CATEGORIES,
    DEFAULT_IVR_FUNCTIONS,
    END_KEY,
    GOODBYE,
    ID_PATTERN,
    INVALID_INPUT,
    LOOKUP_KINDS,
    MAX_LEVELS,
    MAX_VERSION_LEN,
    MENU_KEYS,
    MENU_TAIL,
    MENU_TAIL_TOP,
    NO_INPUT,
    PRESS_ANY_KEY,
    TRANSFER,
    UP_KEY,
    CategoryKey,
    LookupKind,
    NodeId,
    PromptId,
    Purpose,
)

__all__ = [
    "AGENT_KEY",
    "ALWAYS_NEEDED",
    "CATEGORY_MAX_LEN",
    "CONFIRM_ENTRY",
    "DEFAULT_AGENT_CATEGORIES",
    "DEFAULT_CATEGORIES",
    "DEFAULT_IVR_FUNCTIONS",
    "END_KEY",
    "ENTRY_KINDS",
    "GOODBYE",
    "ID_PATTERN",
    "INVALID_INPUT",
    "LOOKUP_KINDS",
    "MAX_LEVELS",
    "MAX_VERSION_LEN",
    "MENU_KEYS",
    "MENU_TAIL",
    "MENU_TAIL_TOP",
    "NODE_KINDS",
    "NO_INPUT",
    "PRESS_ANY_KEY",
    "TRANSFER",
    "UP_KEY",
    "AgentNode",
    "AnnounceNode",
    "BillQueryNode",
    "CategoryKey",
    "CollectNode",
    "GotoNode",
    "HangupNode",
    "LookupKind",
    "Menu",
    "MenuHeader",
    "MenuNode",
    "Node",
    "NodeId",
    "OutageQueryNode",
    "PromptId",
    "Purpose",
    "RecordNode",
    "SurveyNode",
]


class MenuHeader(BaseModel):
    """Everything in the file but `nodes`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    retries: int = Field(3, ge=1, le=9)  # wrong/missing keys per node before the agent takes over
    digit_timeout_s: float = Field(5, gt=0, le=60)
    start: NodeId
    agent: NodeId = "agent"
    greeting: PromptId | None = None

    @field_validator("version")
    @classmethod
    def _version(cls, v: str) -> str:
        if len(v) > MAX_VERSION_LEN:
            raise ValueError(
                f"at most {MAX_VERSION_LEN} characters (it is stored with every call), got {len(v)}"
            )
        if not v.isprintable():
            raise ValueError("must be one line of printable characters")
        return v


@dataclass(frozen=True)
class Menu:
    """A checked menu. Immutable: a call keeps the Menu it started with across hot reloads."""

    path: str
    version: str
    retries: int
    digit_timeout_s: float
    start: str
    agent: str
    greeting: str | None
    nodes: Mapping[str, Node]
    keymap: Mapping[str, Mapping[str, str]]  # menu id -> key -> node id, with 0 and * included
    parent: Mapping[str, str]  # menu id -> parent menu id (the start menu: itself)
    level: Mapping[str, int]  # menu id -> level (the start menu is 1)

    def menu_path(self, menu_id: str) -> tuple[str, ...]:
        """The menus from the top down to `menu_id` (the `*` stack of a caller there)."""
        path = [menu_id]
        while path[-1] != self.start:
            path.append(self.parent[path[-1]])
        return tuple(reversed(path))

    @property
    def depth(self) -> int:
        return max(self.level.values())
