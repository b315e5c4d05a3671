"""Transition rules of the IVR core, as data.

A call is in one state; `TRANSITIONS[(state, event type)]` names the core's handler. A pair that
is not in the table is illegal and raises `IvrError` naming the state, the node and the event.

States, by what the call is waiting for:
    idle                            before Started
    menu_prompt / menu_wait         a menu's prompt is playing / its key timer is running
    announce                        messages playing (any key stops them)
    entry_prompt / entry            asking for digits / reading them (CollectDigits)
    confirm_prompt / confirm_wait   reading the digits back: 1 = confirm, 2 = enter again
    lookup                          waiting for the adapter's LookupResult
    result                          playing the lookup result (any key stops it)
    record_prompt / recording       asking to speak / recording
    survey_prompt / survey_wait     a satisfaction question
    transferred / hung_up           the call has left the IVR (agent / hang-up node)
    ended                           the caller hung up
"""

from __future__ import annotations

from .events import CallerHungUp, Digit, DigitsEntered, LookupResult, PromptDone, RecordDone, Started, Timeout

TRANSITIONS: dict[tuple[str, type], str] = {
    ("idle", Started): "start",
    ("menu_prompt", Digit): "menu_key",  # barge-in
    ("menu_prompt", PromptDone): "wait_key",
    ("menu_wait", Digit): "menu_key",
    ("menu_wait", Timeout): "no_key",
    ("announce", Digit): "stop_listening",
    ("announce", PromptDone): "listened",
    ("entry_prompt", Digit): "first_digit",  # barge-in: the first digit of the entry
    ("entry_prompt", PromptDone): "collect",
    ("entry", DigitsEntered): "digits",
    ("entry", Timeout): "digits_timeout",
    ("confirm_prompt", Digit): "confirm_key",
    ("confirm_prompt", PromptDone): "wait_key",
    ("confirm_wait", Digit): "confirm_key",
    ("confirm_wait", Timeout): "no_key",
    ("lookup", LookupResult): "lookup_result",
    ("result", Digit): "stop_listening",
    ("result", PromptDone): "listened",
    ("record_prompt", Digit): "record_key",
    ("record_prompt", PromptDone): "record",
    ("recording", RecordDone): "recorded",
    ("survey_prompt", Digit): "survey_key",
    ("survey_prompt", PromptDone): "wait_key",
    ("survey_wait", Digit): "survey_key",
    ("survey_wait", Timeout): "no_key",
}
STATES: tuple[str, ...] = tuple(dict.fromkeys(s for s, _ in TRANSITIONS)) + ("transferred", "hung_up")
for _state in STATES:  # the caller may hang up at any moment until the call has ended
    TRANSITIONS[(_state, CallerHungUp)] = "caller_hung_up"
STATES += ("ended",)

# a prompt state whose prompt is over starts the key timer and waits in:
WAIT_STATE = {"menu_prompt": "menu_wait", "confirm_prompt": "confirm_wait", "survey_prompt": "survey_wait"}

# after a wrong key or silence the question is asked again from:
REPROMPT_STATE = {
    "menu_prompt": "menu_prompt",
    "menu_wait": "menu_prompt",
    "entry_prompt": "entry_prompt",
    "entry": "entry_prompt",
    "confirm_prompt": "confirm_prompt",
    "confirm_wait": "confirm_prompt",
    "record_prompt": "record_prompt",
    "recording": "record_prompt",
    "survey_prompt": "survey_prompt",
    "survey_wait": "survey_prompt",
}

# when the retries are used up: the agent, except for a survey question, which is skipped
GIVE_UP = {"survey": "skip"}  # default: "agent" - the line never hangs up on a customer

# keys with the same meaning wherever a choice is read (not inside a digit entry, where 0 is a
# digit and * cancels the entry): 0 = the agent, * = up (parent menu, or the menu one came from)
FIXED_KEYS = {"0": "agent", "*": "up"}

# confirmation of an entry read back to the caller
CONFIRM_KEYS = {"1": "confirm", "2": "again"}

# how the core enters a node, by kind
ENTER = {
    "menu": "menu",
    "announce": "announce",
    "collect": "entry",
    "bill_query": "entry",
    "outage_query": "entry",
    "record": "record",
    "survey": "survey",
    "agent": "agent",
    "goto": "goto",
    "hangup": "hangup",
}


def accepts(state: str) -> tuple[type, ...]:
    """The event types a call in `state` accepts (for adapters and tests)."""
    return tuple(ev for (s, ev) in TRANSITIONS if s == state)
