"""Events into the IVR core and commands out of it (frozen dataclasses).

The adapter runs each batch of commands in order. Only the LAST command of a batch waits for an
answer, and the adapter feeds back exactly one event for it:

    Play(interruptible=True)  -> PromptDone, or Digit(key) as soon as a key is pressed (barge-in)
    StartTimer(s)             -> Digit(key), or Timeout after s seconds without a key
    CollectDigits(n, #, s)    -> DigitsEntered(digits), or Timeout when nothing was entered
    Lookup(kind, value)       -> LookupResult(items)
    Record(max_s, purpose)    -> RecordDone(path, seconds)
    TransferToAgent / HangUp  -> nothing: the call has left the IVR

A Play that is not last is played through (it is never interruptible). LogStep and SurveyAnswer
are for the store. CallerHungUp may come at any time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .errors import IvrTypeError, IvrValueError

DTMF = "0123456789*#ABCD"  # A-D: real phones can send them; no menu binds them


@dataclass(frozen=True, slots=True)
class Say:
    """Something said from data rather than a recorded prompt: digits one by one, a number,
    an amount of money (yuan), a date (ISO), a time (HH:MM). Read out by the prompt renderer."""

    kind: Literal["digits", "number", "amount", "date", "time"]
    value: str


PlayItem = str | Say  # a prompt id from the catalog, or a Say
TransferReason = Literal["pressed_0", "retries", "route"]  # asked / fell through / the menu sends there


def _items(values: Iterable[Any]) -> tuple[PlayItem, ...]:
    items = tuple(values)
    for item in items:
        if not isinstance(item, (str, Say)):
            raise IvrTypeError(f"a play item is a prompt id or a Say, not {item!r}")
    return items


# ---- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Started:
    caller_number: str = ""  # for the outage query by registered number


@dataclass(frozen=True, slots=True)
class Digit:
    key: str

    def __post_init__(self) -> None:
        if not (isinstance(self.key, str) and len(self.key) == 1 and self.key in DTMF):
            raise IvrValueError(f"a DTMF key is one of {DTMF}, not {self.key!r}")


@dataclass(frozen=True, slots=True)
class Timeout:
    pass


@dataclass(frozen=True, slots=True)
class PromptDone:
    pass


@dataclass(frozen=True, slots=True)
class DigitsEntered:
    digits: str  # without the end key; "" when the caller only pressed #

    def __post_init__(self) -> None:
        if not (isinstance(self.digits, str) and all(c in DTMF for c in self.digits)):
            raise IvrValueError(f"entered digits must be DTMF keys, not {self.digits!r}")


@dataclass(frozen=True, slots=True)
class LookupResult:
    items: tuple[PlayItem, ...] = ()  # what to say (a list is accepted); () = nothing, go on

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", _items(self.items))


@dataclass(frozen=True, slots=True)
class RecordDone:
    path: str
    seconds: float


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    pass


Event = Started | Digit | Timeout | PromptDone | DigitsEntered | LookupResult | RecordDone | CallerHungUp


# ---- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Play:
    prompt_ids: tuple[PlayItem, ...]
    interruptible: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompt_ids", _items(self.prompt_ids))


@dataclass(frozen=True, slots=True)
class StartTimer:
    seconds: float


@dataclass(frozen=True, slots=True)
class CollectDigits:
    max_digits: int
    end_key: str
    timeout_s: float  # from the end of the prompt, and between keys


@dataclass(frozen=True, slots=True)
class Lookup:
    kind: str  # bill, usage, outage_by_area, outage_by_caller, repair_progress
    value: str  # the digits entered, or the caller's number


@dataclass(frozen=True, slots=True)
class Record:
    max_s: int
    purpose: Literal["message", "complaint", "fault"]


@dataclass(frozen=True, slots=True)
class TransferToAgent:
    category: str
    priority: int
    from_node: str  # where the caller was
    reason: TransferReason


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    node: str
    key: str


@dataclass(frozen=True, slots=True)
class HangUp:
    pass


@dataclass(frozen=True, slots=True)
class LogStep:
    """One step of the caller's IVR path. `key`: the DTMF key pressed; "" (call start, or an
    automatic step), "timeout", "entry" / "bad_entry" (digits entered, valid or not; the value
    is not logged), "recorded", "hangup" (the caller hung up)."""

    node: str
    key: str
    at: datetime


Command = (
    Play | StartTimer | CollectDigits | Lookup | Record | TransferToAgent | SurveyAnswer | HangUp | LogStep
)
