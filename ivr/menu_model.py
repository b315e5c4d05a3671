"""The voice menu as data: node kinds, the fixed vocabularies and the checked, immutable `Menu`.

A menu file (`config/menu.yaml`) has `version`, `retries`, `digit_timeout_s`, `start` (the top
menu), `agent` (the node key 0 leads to), an optional `greeting` prompt and `nodes: {id: node}`.
Each node has a `kind` (below) and a business `category` from `CATEGORIES` (for statistics).
Node models only check their own fields; `menu_validate` checks the graph and builds `Menu`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

# business categories: IVR use by function and agent calls by category (seed 002's statistics)
Category = Literal[
    "outage_query",
    "bill_query",
    "fault_repair",
    "complaint",
    "policy",
    "business",
    "consultation",
    "information_query",
    "new_connection",
    "theft_report",
    "survey",
    "message",
    "other",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
LookupKind = Literal["bill", "usage", "outage_by_area", "outage_by_caller", "repair_progress"]
LOOKUP_KINDS: tuple[str, ...] = get_args(LookupKind)
Purpose = Literal["message", "complaint", "fault"]

MAX_LEVELS = 5  # 001 §4.2.5c: at most 5 menu levels, the top menu is level 1
AGENT_KEY = "0"  # on every level: the agent
UP_KEY = "*"  # on every level: the parent menu (on the top level: repeat it)
END_KEY = "#"  # ends a digit entry
MENU_KEYS = "123456789#"  # what a menu file may bind (0 and * are fixed)

# prompts the core plays by itself (they must be in the prompt catalog)
GOODBYE = "goodbye"  # 服务结束请挂机 - before every HangUp
TRANSFER = "transfer_agent"  # default prompt of an agent node
PRESS_ANY_KEY = "press_any_key_to_stop"  # before several messages (001 §4.2.5e)
INVALID_INPUT = "invalid_input"  # before a re-prompt after a wrong key
NO_INPUT = "no_input"  # before a re-prompt after silence
MENU_TAIL = "menu_tail"  # after every sub-menu prompt: 0 = agent, * = back
MENU_TAIL_TOP = "menu_tail_top"  # after the top menu prompt: 0 = agent, * = repeat
CONFIRM_ENTRY = "confirm_or_reenter"  # after a read-back: 1 = confirm, 2 = enter again
ALWAYS_NEEDED = (INVALID_INPUT, NO_INPUT, MENU_TAIL, MENU_TAIL_TOP)

ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
# each call stores "<version>+<8 hex of the file's hash>" in a 64-character column
MAX_VERSION_LEN = 55
NodeId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
PromptId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Loc = tuple  # a path into the YAML document, relative to the node


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category
    label: str = ""  # what the node is, for people (the CLI tree shows it)

    def prompt_refs(self) -> list[tuple[Loc, str]]:
        """Every prompt id the node names, with where it is written."""
        return []

    def targets(self) -> list[tuple[Loc, str]]:
        """Every node id the node leads to (besides the keys of a menu), with where it is written."""
        nxt = getattr(self, "next", None)
        return [(("next",), nxt)] if nxt else []


class MenuNode(_Node):
    """Say `prompt` (the core adds the 0/* tail), then read one key; `keys` maps key -> node id."""

    kind: Literal["menu"]
    prompt: PromptId
    keys: dict[str, NodeId]  # as written (YAML ints made strings); 0 and * are added by the validator

    def prompt_refs(self):
        return [(("prompt",), self.prompt)]

    def targets(self):
        return [(("keys", k), t) for k, t in self.keys.items()]


class AnnounceNode(_Node):
    """Say one or several messages (several: 按任意键停止收听 first). Any key stops them and
    returns to the menu, except 0, which is the agent as everywhere."""

    kind: Literal["announce"]
    prompts: tuple[PromptId, ...] = Field(min_length=1)
    next: NodeId | None = None  # default: back to the menu the caller came from

    @field_validator("prompts", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v

    def prompt_refs(self):
        return [(("prompts", i), p) for i, p in enumerate(self.prompts)]


class _Entry(_Node):
    """Read digits ending with #, optionally read them back for confirmation, then look them up."""

    prompt: PromptId | None = None
    max_digits: int = Field(10, ge=1, le=30)
    min_digits: int = Field(1, ge=1, le=30)
    readback: PromptId | None = None  # e.g. 您输入的户号是; then the digits, then confirm_or_reenter
    next: NodeId | None = None  # after the result; default: back to the menu

    @model_validator(mode="after")
    def _sizes(self):
        if self.min_digits > self.max_digits:
            raise ValueError(f"min_digits ({self.min_digits}) is above max_digits ({self.max_digits})")
        if self.needs_entry and self.prompt is None:
            raise ValueError("a prompt is required (it asks for the digits)")
        return self

    @property
    def needs_entry(self) -> bool:
        return True

    @property
    def lookup_kind(self) -> str:
        raise NotImplementedError

    def prompt_refs(self):
        return [((name,), p) for name in ("prompt", "readback") if (p := getattr(self, name))]


class CollectNode(_Entry):
    kind: Literal["collect"]
    lookup: LookupKind

    @property
    def lookup_kind(self) -> str:
        return self.lookup


class BillQueryNode(_Entry):
    """Account number -> balance, usage... (the adapter answers the `bill` lookup)."""

    kind: Literal["bill_query"]

    @property
    def lookup_kind(self) -> str:
        return "bill"


class OutageQueryNode(_Entry):
    """Planned/known outages by area code (entered) or by the caller's registered number."""

    kind: Literal["outage_query"]
    mode: Literal["area_code", "caller_number"]

    @property
    def needs_entry(self) -> bool:
        return self.mode == "area_code"

    @property
    def lookup_kind(self) -> str:
        return "outage_by_area" if self.mode == "area_code" else "outage_by_caller"


class RecordNode(_Node):
    """Say `prompt`, record the caller (ends on # or `max_s`), say `done`, go on to `next`."""

    kind: Literal["record"]
    prompt: PromptId
    max_s: int = Field(60, ge=5, le=600)
    purpose: Purpose
    done: PromptId | None = None
    next: NodeId | None = None

    def prompt_refs(self):
        return [((name,), p) for name in ("prompt", "done") if (p := getattr(self, name))]


class SurveyNode(_Node):
    """One satisfaction question: say `prompt`, read one of `choices`, say `done`, go on."""

    kind: Literal["survey"]
    prompt: PromptId
    choices: str = Field("123", min_length=1, max_length=9)
    done: PromptId | None = None
    next: NodeId | None = None

    @field_validator("choices", mode="before")
    @classmethod
    def _keys(cls, v):
        v = str(v) if isinstance(v, int) else v
        if isinstance(v, str):
            bad = [c for c in v if c not in MENU_KEYS]
            if bad or len(set(v)) != len(v):
                raise ValueError("choices are distinct keys 1-9 or # (0 and * keep their meaning)")
        return v

    def prompt_refs(self):
        return [((name,), p) for name in ("prompt", "done") if (p := getattr(self, name))]


class AgentNode(_Node):
    """Hand the call to the ACD: say `prompt`, then TransferToAgent(category, priority)."""

    kind: Literal["agent"]
    priority: int = Field(0, ge=0, le=9)  # larger = served first
    prompt: PromptId = TRANSFER

    def prompt_refs(self):
        return [(("prompt",), self.prompt)]


class GotoNode(_Node):
    kind: Literal["goto"]
    target: NodeId

    def targets(self):
        return [(("target",), self.target)]


class HangupNode(_Node):
    """Say `prompts` (e.g. thanks), then goodbye (服务结束请挂机), then hang up."""

    kind: Literal["hangup"]
    prompts: tuple[PromptId, ...] = ()

    @field_validator("prompts", mode="before")
    @classmethod
    def _one_or_many(cls, v):
        return [v] if isinstance(v, str) else v

    def prompt_refs(self):
        return [(("prompts", i), p) for i, p in enumerate(self.prompts)]


Node = Union[
    MenuNode,
    AnnounceNode,
    CollectNode,
    BillQueryNode,
    OutageQueryNode,
    RecordNode,
    SurveyNode,
    AgentNode,
    GotoNode,
    HangupNode,
]
NODE_KINDS: dict[str, type[_Node]] = {
    get_args(m.model_fields["kind"].annotation)[0]: m for m in get_args(Node)
}
ENTRY_KINDS = ("collect", "bill_query", "outage_query")


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
