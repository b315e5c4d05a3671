"""The pure IVR core: one `IvrCall` per call, `handle(event, now) -> list[Command]`.

No I/O and no clock: the adapter brings the events and the time and carries out the commands
(see `ivr.events` for the protocol, `ivr.rules` for the transitions). A call keeps the `Menu` it
started with, so a reloaded menu only affects new calls.
"""

from __future__ import annotations

from datetime import datetime

from .errors import IvrError
from .events import (
    CollectDigits,
    Command,
    Digit,
    DigitsEntered,
    Event,
    HangUp,
    LogStep,
    Lookup,
    LookupResult,
    Play,
    Record,
    RecordDone,
    Say,
    Started,
    StartTimer,
    SurveyAnswer,
    TransferToAgent,
)
from .menu_model import (
    CONFIRM_ENTRY,
    END_KEY,
    GOODBYE,
    INVALID_INPUT,
    MENU_TAIL,
    MENU_TAIL_TOP,
    NO_INPUT,
    PRESS_ANY_KEY,
    Menu,
)
from .rules import CONFIRM_KEYS, ENTER, FIXED_KEYS, GIVE_UP, REPROMPT_STATE, TRANSITIONS, WAIT_STATE


class IvrCall:
    """The IVR state of one call: node, menu stack (for *), retries, entry, path."""

    def __init__(self, menu: Menu):
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

    def handle(self, event: Event, now: datetime) -> list[Command]:
        handler = TRANSITIONS.get((self.state, type(event)))
        if handler is None:
            raise IvrError(
                f"IVR call in state {self.state!r} at node {self.node!r} cannot take event {event!r}"
            )
        return getattr(self, f"_on_{handler}")(event, now)

    # ---- helpers ------------------------------------------------------------------------------

    @property
    def _here(self):
        return self.menu.nodes[self.node]

    def _log(self, node: str, key: str, now: datetime) -> LogStep:
        step = LogStep(node, key, now)
        self.path.append(step)
        return step

    def _enter(self, nid: str, key: str, now: datetime, reason: str = "route") -> list[Command]:
        came_from, node = self.node, self.menu.nodes[nid]
        self.node, self.failures, self.entered, self.value = nid, 0, "", ""
        cmds: list[Command] = [self._log(nid, key, now)]
        return cmds + getattr(self, f"_enter_{ENTER[node.kind]}")(node, now, came_from, reason)

    def _to_agent(self, key: str, now: datetime, reason: str) -> list[Command]:
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

    def _question(self, state: str) -> tuple:
        """What is asked again in a prompt state."""
        node = self._here
        if state == "menu_prompt":
            tail = MENU_TAIL_TOP if self.node == self.menu.start else MENU_TAIL
            return (node.prompt, tail)
        if state == "confirm_prompt":
            return (node.readback, Say("digits", self.value), CONFIRM_ENTRY)
        return (node.prompt,)

    def _ask(self, state: str, before: tuple = ()) -> list[Command]:
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

    def _enter_menu(self, node, now, came_from, reason):
        self.stack = self.menu.menu_path(self.node)
        return self._ask("menu_prompt")

    def _enter_announce(self, node, now, came_from, reason):
        self.state = "announce"
        prompts = node.prompts if len(node.prompts) == 1 else (PRESS_ANY_KEY, *node.prompts)
        return [Play(prompts, interruptible=True)]

    def _enter_entry(self, node, now, came_from, reason):
        if node.needs_entry:
            return self._ask("entry_prompt")
        self.value = self.caller_number
        said = [Play((node.prompt,), interruptible=False)] if node.prompt else []
        return said + self._lookup()

    def _enter_record(self, node, now, came_from, reason):
        return self._ask("record_prompt")

    def _enter_survey(self, node, now, came_from, reason):
        return self._ask("survey_prompt")

    def _enter_agent(self, node, now, came_from, reason):
        self.state = "transferred"
        return [
            Play((node.prompt,), interruptible=False),
            TransferToAgent(node.category, node.priority, came_from, reason),
        ]

    def _enter_goto(self, node, now, came_from, reason):
        self.node = came_from  # the goto is only a jump: the agent hears where the caller was
        return self._enter(node.target, "", now, reason)

    def _enter_hangup(self, node, now, came_from, reason):
        self.state = "hung_up"
        return [Play((*node.prompts, GOODBYE), interruptible=False), HangUp()]

    def _lookup(self) -> list[Command]:
        self.state = "lookup"
        return [Lookup(self._here.lookup_kind, self.value)]

    # ---- handlers (rules.TRANSITIONS) ---------------------------------------------------------

    def _on_start(self, ev: Started, now):
        self.caller_number = ev.caller_number
        greeting = [Play((self.menu.greeting,), interruptible=False)] if self.menu.greeting else []
        return greeting + self._enter(self.menu.start, "", now)

    def _on_menu_key(self, ev: Digit, now):
        target = self.menu.keymap[self.node].get(ev.key)
        if target is None:
            return self._fail(ev.key, now)
        return self._enter(target, ev.key, now, "pressed_0" if ev.key == "0" else "route")

    def _on_wait_key(self, ev, now):
        self.state = WAIT_STATE[self.state]
        return [StartTimer(self.menu.digit_timeout_s)]

    def _on_no_key(self, ev, now):
        return self._fail("timeout", now)

    def _on_stop_listening(self, ev: Digit, now):
        return self._fixed(ev.key, now) if ev.key == "0" else self._back(ev.key, now)

    def _on_listened(self, ev, now):
        return self._after(now)

    def _on_first_digit(self, ev: Digit, now):
        if ev.key == END_KEY:
            return self._check_entry("", now)
        self.entered = ev.key
        if ev.key != "*" and len(self.entered) < self._here.max_digits:
            return self._collect(self._here.max_digits - 1)
        return self._check_entry(self.entered, now)

    def _on_collect(self, ev, now):
        self.entered = ""
        return self._collect(self._here.max_digits)

    def _collect(self, max_digits: int) -> list[Command]:
        self.state = "entry"
        return [CollectDigits(max_digits, END_KEY, self.menu.digit_timeout_s)]

    def _on_digits(self, ev: DigitsEntered, now):
        return self._check_entry(self.entered + ev.digits.removesuffix(END_KEY), now)

    def _on_digits_timeout(self, ev, now):
        return self._check_entry(self.entered, now) if self.entered else self._fail("timeout", now)

    def _check_entry(self, value: str, now: datetime) -> list[Command]:
        node = self._here
        if "*" in value:  # * cancels the entry: back to the menu
            return self._back("*", now)
        if not (value.isascii() and value.isdigit() and node.min_digits <= len(value) <= node.max_digits):
            return self._fail("bad_entry", now)
        self.value = value
        step = self._log(self.node, "entry", now)
        return [step] + (self._ask("confirm_prompt") if node.readback else self._lookup())

    def _on_confirm_key(self, ev: Digit, now):
        fixed = self._fixed(ev.key, now)
        if fixed is not None:
            return fixed
        choice = CONFIRM_KEYS.get(ev.key)
        if choice is None:
            return self._fail(ev.key, now)
        step = self._log(self.node, ev.key, now)
        if choice == "confirm":
            return [step] + self._lookup()
        self.value = ""
        return [step] + self._ask("entry_prompt")

    def _on_lookup_result(self, ev: LookupResult, now):
        if not ev.items:
            return self._after(now)
        self.state = "result"
        return [Play(ev.items, interruptible=True)]

    def _on_record_key(self, ev: Digit, now):
        fixed = self._fixed(ev.key, now)
        return fixed if fixed is not None else self._on_record(ev, now)

    def _on_record(self, ev, now):
        self.state = "recording"
        return [Record(self._here.max_s, self._here.purpose)]

    def _on_recorded(self, ev: RecordDone, now):
        if ev.seconds < 1:  # nothing was said: ask again (and after the retries: the agent)
            return self._fail("timeout", now)
        done = self._here.done
        said = [Play((done,), interruptible=False)] if done else []
        return [self._log(self.node, "recorded", now)] + said + self._after(now)

    def _on_survey_key(self, ev: Digit, now):
        fixed = self._fixed(ev.key, now)
        if fixed is not None:
            return fixed
        node = self._here
        if ev.key not in node.choices:
            return self._fail(ev.key, now)
        said = [Play((node.done,), interruptible=False)] if node.done else []
        return [self._log(self.node, ev.key, now), SurveyAnswer(self.node, ev.key)] + said + self._after(now)

    def _on_caller_hung_up(self, ev, now):
        self.state = "ended"
        return [self._log(self.node, "hangup", now)]
