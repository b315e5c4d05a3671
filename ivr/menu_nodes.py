"""The node kinds of a menu file (pydantic models). Each node has a `kind` and a business
`category` (for statistics: one of the site's configured categories, checked by `menu_validate`
with the graph; the model checks only its form)."""

from __future__ import annotations

from typing import Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .menu_vocab import MENU_KEYS, TRANSFER, CategoryKey, Loc, LookupKind, NodeId, PromptId, Purpose


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: CategoryKey
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

    def prompt_refs(self) -> list[tuple[Loc, str]]:
        return [(("prompt",), self.prompt)]

    def targets(self) -> list[tuple[Loc, str]]:
        return [(("keys", k), t) for k, t in self.keys.items()]


class AnnounceNode(_Node):
    """Say one or several messages (several: 按任意键停止收听 first). Any key stops them and
    returns to the menu, except 0, which is the agent as everywhere."""

    kind: Literal["announce"]
    prompts: tuple[PromptId, ...] = Field(min_length=1)
    next: NodeId | None = None  # default: back to the menu the caller came from

    @field_validator("prompts", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    def prompt_refs(self) -> list[tuple[Loc, str]]:
        return [(("prompts", i), p) for i, p in enumerate(self.prompts)]


class _Entry(_Node):
    """Read digits ending with #, optionally read them back for confirmation, then look them up."""

    prompt: PromptId | None = None
    max_digits: int = Field(10, ge=1, le=30)
    min_digits: int = Field(1, ge=1, le=30)
    readback: PromptId | None = None  # e.g. 您输入的户号是; then the digits, then confirm_or_reenter
    next: NodeId | None = None  # after the result; default: back to the menu

    @model_validator(mode="after")
    def _sizes(self) -> Self:
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

    def prompt_refs(self) -> list[tuple[Loc, str]]:
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

    def prompt_refs(self) -> list[tuple[Loc, str]]:
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
    def _keys(cls, v: object) -> object:
        v = str(v) if isinstance(v, int) else v
        if isinstance(v, str):
            bad = [c for c in v if c not in MENU_KEYS]
            if bad or len(set(v)) != len(v):
                raise ValueError("choices are distinct keys 1-9 or # (0 and * keep their meaning)")
        return v

    def prompt_refs(self) -> list[tuple[Loc, str]]:
        return [((name,), p) for name in ("prompt", "done") if (p := getattr(self, name))]


class AgentNode(_Node):
    """Hand the call to the ACD: say `prompt`, then TransferToAgent(category, priority)."""

    kind: Literal["agent"]
    priority: int = Field(0, ge=0, le=9)  # larger = served first
    prompt: PromptId = TRANSFER

    def prompt_refs(self) -> list[tuple[Loc, str]]:
        return [(("prompt",), self.prompt)]


class GotoNode(_Node):
    kind: Literal["goto"]
    target: NodeId

    def targets(self) -> list[tuple[Loc, str]]:
        return [(("target",), self.target)]


class HangupNode(_Node):
    """Say `prompts` (e.g. thanks), then goodbye (服务结束请挂机), then hang up."""

    kind: Literal["hangup"]
    prompts: tuple[PromptId, ...] = ()

    @field_validator("prompts", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    def prompt_refs(self) -> list[tuple[Loc, str]]:
        return [(("prompts", i), p) for i, p in enumerate(self.prompts)]


Node = (
    MenuNode
    | AnnounceNode
    | CollectNode
    | BillQueryNode
    | OutageQueryNode
    | RecordNode
    | SurveyNode
    | AgentNode
    | GotoNode
    | HangupNode
)
EntryNode = CollectNode | BillQueryNode | OutageQueryNode
NODE_KINDS: dict[str, type[Node]] = {
    get_args(m.model_fields["kind"].annotation)[0]: m for m in get_args(Node)
}
ENTRY_KINDS = ("collect", "bill_query", "outage_query")
