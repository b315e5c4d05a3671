"""The pure IVR core: one `IvrCall` per call, `handle(event, now) -> list[Command]`.

No I/O and no clock: the adapter brings the events and the time and carries out the commands
(see `ivr.events` for the protocol, `ivr.rules` for the transitions). The handlers are here; the
call's state and the moves they make with it (entering a node, asking again) are in
`ivr.call_state`. A call keeps the `Menu` it started with, so a reloaded menu only affects new
calls.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .call_state import CallState
from .errors import IvrError
from .events import (
    CollectDigits,
    Command,
    Digit,
    DigitsEntered,
    Event,
    LookupResult,
    Play,
    Record,
    RecordDone,
    Started,
    StartTimer,
    SurveyAnswer,
)
from .menu_nodes import RecordNode, SurveyNode, _Entry
from .menu_vocab import END_KEY
from .rules import CONFIRM_KEYS, TRANSITIONS, WAIT_STATE


class IvrCall(CallState):
    """One call in the IVR: `handle(event, now)` runs the handler `rules.TRANSITIONS` names."""

    def handle(self, event: Event, now: datetime) -> list[Command]:
        handler = TRANSITIONS.get((self.state, type(event)))
        if handler is None:
            raise IvrError(
                f"IVR call in state {self.state!r} at node {self.node!r} cannot take event {event!r}"
            )
        on: Callable[[Event, datetime], list[Command]] = getattr(self, f"_on_{handler}")
        return on(event, now)

    # ---- handlers (rules.TRANSITIONS) ---------------------------------------------------------

    def _on_start(self, ev: Started, now: datetime) -> list[Command]:
        self.caller_number = ev.caller_number
        greeting = [Play((self.menu.greeting,), interruptible=False)] if self.menu.greeting else []
        return greeting + self._enter(self.menu.start, "", now)

    def _on_menu_key(self, ev: Digit, now: datetime) -> list[Command]:
        target = self.menu.keymap[self.node].get(ev.key)
        if target is None:
            return self._fail(ev.key, now)
        return self._enter(target, ev.key, now, "pressed_0" if ev.key == "0" else "route")

    def _on_wait_key(self, ev: Event, now: datetime) -> list[Command]:
        self.state = WAIT_STATE[self.state]
        return [StartTimer(self.menu.digit_timeout_s)]

    def _on_no_key(self, ev: Event, now: datetime) -> list[Command]:
        return self._fail("timeout", now)

    def _on_stop_listening(self, ev: Digit, now: datetime) -> list[Command]:
        return self._to_agent(ev.key, now, "pressed_0") if ev.key == "0" else self._back(ev.key, now)

    def _on_listened(self, ev: Event, now: datetime) -> list[Command]:
        return self._after(now)

    def _on_first_digit(self, ev: Digit, now: datetime) -> list[Command]:
        if ev.key == END_KEY:
            return self._check_entry("", now)
        self.entered = ev.key
        max_digits = self._here_as(_Entry).max_digits
        if ev.key != "*" and len(self.entered) < max_digits:
            return self._collect(max_digits - 1)
        return self._check_entry(self.entered, now)

    def _on_collect(self, ev: Event, now: datetime) -> list[Command]:
        self.entered = ""
        return self._collect(self._here_as(_Entry).max_digits)

    def _collect(self, max_digits: int) -> list[Command]:
        self.state = "entry"
        return [CollectDigits(max_digits, END_KEY, self.menu.digit_timeout_s)]

    def _on_digits(self, ev: DigitsEntered, now: datetime) -> list[Command]:
        return self._check_entry(self.entered + ev.digits.removesuffix(END_KEY), now)

    def _on_digits_timeout(self, ev: Event, now: datetime) -> list[Command]:
        return self._check_entry(self.entered, now) if self.entered else self._fail("timeout", now)

    def _check_entry(self, value: str, now: datetime) -> list[Command]:
        node = self._here_as(_Entry)
        if "*" in value:  # * cancels the entry: back to the menu
            return self._back("*", now)
        if not (value.isascii() and value.isdigit() and node.min_digits <= len(value) <= node.max_digits):
            return self._fail("bad_entry", now)
        self.value = value
        step = self._log(self.node, "entry", now)
        return [step] + (self._ask("confirm_prompt") if node.readback else self._lookup())

    def _on_confirm_key(self, ev: Digit, now: datetime) -> list[Command]:
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

    def _on_lookup_result(self, ev: LookupResult, now: datetime) -> list[Command]:
        if not ev.items:
            return self._after(now)
        self.state = "result"
        return [Play(ev.items, interruptible=True)]

    def _on_record_key(self, ev: Digit, now: datetime) -> list[Command]:
        fixed = self._fixed(ev.key, now)
        return fixed if fixed is not None else self._on_record(ev, now)

    def _on_record(self, ev: Event, now: datetime) -> list[Command]:
        self.state = "recording"
        node = self._here_as(RecordNode)
        return [Record(node.max_s, node.purpose)]

    def _on_recorded(self, ev: RecordDone, now: datetime) -> list[Command]:
        if ev.seconds < 1:  # nothing was said: ask again (and after the retries: the agent)
            return self._fail("timeout", now)
        done = self._here_as(RecordNode).done
        said = [Play((done,), interruptible=False)] if done else []
        return [self._log(self.node, "recorded", now)] + said + self._after(now)

    def _on_survey_key(self, ev: Digit, now: datetime) -> list[Command]:
        fixed = self._fixed(ev.key, now)
        if fixed is not None:
            return fixed
        node = self._here_as(SurveyNode)
        if ev.key not in node.choices:
            return self._fail(ev.key, now)
        cmds: list[Command] = [self._log(self.node, ev.key, now), SurveyAnswer(self.node, ev.key)]
        if node.done:
            cmds.append(Play((node.done,), interruptible=False))
        return cmds + self._after(now)

    def _on_caller_hung_up(self, ev: Event, now: datetime) -> list[Command]:
        self.state = "ended"
        return [self._log(self.node, "hangup", now)]
