"""The state of one IVR call and the moves the event handlers make with it.

`CallState` holds where the caller is (node, menu stack for *, failures, the entry, the path)
and how the call moves: entering a node by its kind (`rules.ENTER`), asking a question again
after a wrong key or silence, giving up after the retries, going back with *. `core.IvrCall`
adds the event handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from .errors import IvrError
from .events import (
    Command,
    HangUp,
    LogStep,
    Lookup,
    Play,
    PlayItem,
    Say,
    TransferReason,
    TransferToAgent,
)
from .menu_model import Menu
from .menu_nodes import (
    AgentNode,
    AnnounceNode,
    GotoNode,
    HangupNode,
    MenuNode,
    Node,
    RecordNode,
    SurveyNode,
    _Entry,
)
from .menu_vocab import (
    CONFIRM_ENTRY,
    GOODBYE,
    INVALID_INPUT,
    MENU_TAIL,
    MENU_TAIL_TOP,
    NO_INPUT,
    PRESS_ANY_KEY,
)
from .rules import ENTER, FIXED_KEYS, GIVE_UP, REPROMPT_STATE

_N = TypeVar("_N")


class CallState:
    """The IVR state of one call: node, menu stack (for *), retries, entry, path."""

    def __init__(self, menu: Menu) -> None:
        self.menu = menu
        self.state = "idle"
        self.node = menu.start
        self.stack: tuple[str, ...] = ()  # menus from the top to the one the caller is in
        self.failures = 0  # wrong keys / silences at the current node
        self.entered = ""  # digits of an entry so far (barge-in digit)
        self.value = ""  # the entry being confirmed / looked up
        self.caller_number = ""
        self.path: list[LogStep] = []

    @property
    def version(self) -> str:
        return self.menu.version

    @property
    def level(self) -> int:
        return len(self.stack)

    # ---- helpers ------------------------------------------------------------------------------

    @property
    def _here(self) -> Node:
        return self.menu.nodes[self.node]

    def _here_as(self, kind: type[_N]) -> _N:
        """The current node, which the state says is a `kind` node."""
        node = self.menu.nodes[self.node]
        if not isinstance(node, kind):
            raise IvrError(f"IVR call in state {self.state!r}: node {self.node!r} is not a {kind.__name__}")
        return node

    def _log(self, node: str, key: str, now: datetime) -> LogStep:
        step = LogStep(node, key, now)
        self.path.append(step)
        return step

    def _enter(self, nid: str, key: str, now: datetime, reason: TransferReason = "route") -> list[Command]:
        came_from, node = self.node, self.menu.nodes[nid]
        self.node, self.failures, self.entered, self.value = nid, 0, "", ""
        cmds: list[Command] = [self._log(nid, key, now)]
        enter: Callable[[Node, datetime, str, TransferReason], list[Command]]
        enter = getattr(self, f"_enter_{ENTER[node.kind]}")
        return cmds + enter(node, now, came_from, reason)

    def _to_agent(self, key: str, now: datetime, reason: TransferReason) -> list[Command]:
        return self._enter(self.menu.agent, key, now, reason)

    def _back(self, key: str, now: datetime) -> list[Command]:
        """Return to the menu the caller is in (the top of the * stack)."""
        return self._enter(self.stack[-1], key, now)

    def _after(self, now: datetime) -> list[Command]:
        nxt = getattr(self._here, "next", None)
        return self._enter(nxt, "", now) if nxt else self._back("", now)

    def _fixed(self, key: str, now: datetime) -> list[Command] | None:
        """0 and * where a choice is read; None for every other key."""
        meaning = FIXED_KEYS.get(key)
        if meaning == "agent":
            return self._to_agent(key, now, "pressed_0")
        if meaning == "up":
            return self._back(key, now)
        return None

    def _question(self, state: str) -> tuple[PlayItem, ...]:
        """What is asked again in a prompt state."""
        if state == "menu_prompt":
            tail = MENU_TAIL_TOP if self.node == self.menu.start else MENU_TAIL
            return (self._here_as(MenuNode).prompt, tail)
        if state == "confirm_prompt":
            return (self._asked(self._here_as(_Entry).readback), Say("digits", self.value), CONFIRM_ENTRY)
        node = self._here
        if not isinstance(node, _Entry | RecordNode | SurveyNode):
            raise IvrError(f"IVR call in state {state!r}: node {self.node!r} asks no question")
        return (self._asked(node.prompt),)

    def _asked(self, prompt: str | None) -> str:
        """The prompt of a question (the menu checks put one wherever the core asks)."""
        if prompt is None:
            raise IvrError(f"node {self.node!r} has no prompt to ask with")
        return prompt

    def _ask(self, state: str, before: tuple[PlayItem, ...] = ()) -> list[Command]:
        self.state = state
        return [Play(before + self._question(state), interruptible=True)]

    def _fail(self, key: str, now: datetime) -> list[Command]:
        """A wrong key or silence: ask again, or after `retries` give up (agent, or skip)."""
        self.failures += 1
        self.entered = ""
        cmds: list[Command] = [self._log(self.node, key, now)]
        if self.failures >= self.menu.retries:
            if GIVE_UP.get(self._here.kind) == "skip":
                return cmds + self._after(now)
            return cmds + self._to_agent("", now, "retries")
        first = NO_INPUT if key == "timeout" else INVALID_INPUT
        return cmds + self._ask(REPROMPT_STATE[self.state], (first,))

    # ---- entering a node, by kind (rules.ENTER) -----------------------------------------------

    def _enter_menu(
        self, node: MenuNode, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        self.stack = self.menu.menu_path(self.node)
        return self._ask("menu_prompt")

    def _enter_announce(
        self, node: AnnounceNode, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        self.state = "announce"
        prompts = node.prompts if len(node.prompts) == 1 else (PRESS_ANY_KEY, *node.prompts)
        return [Play(prompts, interruptible=True)]

    def _enter_entry(
        self, node: _Entry, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        if node.needs_entry:
            return self._ask("entry_prompt")
        self.value = self.caller_number
        said = [Play((node.prompt,), interruptible=False)] if node.prompt else []
        return said + self._lookup()

    def _enter_record(
        self, node: RecordNode, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        return self._ask("record_prompt")

    def _enter_survey(
        self, node: SurveyNode, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        return self._ask("survey_prompt")

    def _enter_agent(
        self, node: AgentNode, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        self.state = "transferred"
        return [
            Play((node.prompt,), interruptible=False),
            TransferToAgent(node.category, node.priority, came_from, reason),
        ]

    def _enter_goto(
        self, node: GotoNode, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        self.node = came_from  # the goto is only a jump: the agent hears where the caller was
        return self._enter(node.target, "", now, reason)

    def _enter_hangup(
        self, node: HangupNode, now: datetime, came_from: str, reason: TransferReason
    ) -> list[Command]:
        self.state = "hung_up"
        return [Play((*node.prompts, GOODBYE), interruptible=False), HangUp()]

    def _lookup(self) -> list[Command]:
        self.state = "lookup"
        return [Lookup(self._here_as(_Entry).lookup_kind, self.value)]
