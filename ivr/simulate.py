"""A scripted caller for the tests: `Caller` plays the adapter's part against an `IvrCall`.

Its methods send what the adapter would feed back - a key, a digit entry, the end of a prompt, a
timeout, a lookup result, a finished recording, a hang-up (`enter`, `silence` and `record` first
let a playing prompt finish) - each one step (`step_s`) later than the last, counting from `start`
(`T0` by default; no clock is read). Every command the call returns is kept in `commands`.
`walk(menu, keys)` starts a call and presses the keys one by one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .core import IvrCall
from .events import (
    CallerHungUp,
    Command,
    Digit,
    DigitsEntered,
    Event,
    LookupResult,
    Play,
    PlayItem,
    PromptDone,
    RecordDone,
    Started,
    Timeout,
)
from .menu_model import Menu

T0 = datetime(2025, 1, 1, 8, 0, 0)
LISTENING = (
    "menu_prompt",
    "announce",
    "entry_prompt",
    "confirm_prompt",
    "result",
    "record_prompt",
    "survey_prompt",
)
ENDED = ("transferred", "hung_up", "ended")


class Caller:
    def __init__(
        self, menu: Menu, caller_number: str = "", start: datetime = T0, step_s: float = 1.0
    ) -> None:
        self.call = IvrCall(menu)
        self.caller_number = caller_number
        self.now = start
        self.step = timedelta(seconds=step_s)
        self.commands: list[Command] = []

    @property
    def state(self) -> str:
        return self.call.state

    @property
    def node(self) -> str:
        return self.call.node

    def send(self, event: Event) -> list[Command]:
        self.now += self.step
        cmds = self.call.handle(event, self.now)
        self.commands += cmds
        return cmds

    def start(self) -> list[Command]:
        return self.send(Started(self.caller_number))

    def press(self, key: str) -> list[Command]:
        """A key, at once (barge-in while a prompt plays); inside a digit entry it is the entry."""
        if self.state == "entry":
            return self.send(DigitsEntered(key))
        return self.send(Digit(key))

    def enter(self, digits: str) -> list[Command]:
        """Type a whole entry after its prompt (`digits` without the #)."""
        if self.state == "entry_prompt":
            self.send(PromptDone())
        return self.send(DigitsEntered(digits))

    def listen(self) -> list[Command]:
        """Let the playing prompt finish."""
        return self.send(PromptDone())

    def silence(self) -> list[Command]:
        """Let the prompt finish, then press nothing until the timer runs out."""
        if self.state in LISTENING:
            self.send(PromptDone())
        return self.send(Timeout())

    def answer_lookup(self, *items: PlayItem) -> list[Command]:
        return self.send(LookupResult(items))

    def record(self, seconds: float = 10, path: str = "rec.wav") -> list[Command]:
        if self.state == "record_prompt":
            self.send(PromptDone())
        return self.send(RecordDone(path, seconds))

    def hang_up(self) -> list[Command]:
        return self.send(CallerHungUp())

    def played(self) -> list[PlayItem]:
        """Every prompt id / Say played so far, in order."""
        return [p for c in self.commands if isinstance(c, Play) for p in c.prompt_ids]


def walk(menu: Menu, keys: str, caller_number: str = "") -> Caller:
    """Start a call and press `keys` one by one (each barging in); lookups answer nothing and
    recordings last 10 s. Stops early if the call leaves the IVR."""
    caller = Caller(menu, caller_number)
    caller.start()
    for key in keys:
        if caller.state == "lookup":
            caller.answer_lookup()
        elif caller.state in ("record_prompt", "recording"):
            caller.record()
        if caller.state in ENDED:
            break
        caller.press(key)
    return caller
