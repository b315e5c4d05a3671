"""A call's one final outcome, decided in one place.

The ACD core says what happened to a call that reached it (`CallOutcome`: answered, abandoned
while queued or ringing, message, callback). Before the queue, the menu decides: the caller left
in the menu (`ivr_only`), left a voice message there (`message_left`), or asked for an agent but
hung up during the transfer prompt (`abandoned_queue`). A session broken by an error or stopped
with the daemon is `failed` - unless an agent had answered: that talk happened.
"""

from __future__ import annotations

from typing import Literal

from .rules import AcdError

FinalOutcome = Literal[
    "agent_answered",
    "abandoned_queue",
    "abandoned_ringing",
    "message_left",
    "callback_requested",
    "ivr_only",
    "failed",
]
_ACD: dict[str, FinalOutcome] = {
    "agent_answered": "agent_answered",
    "abandoned_queue": "abandoned_queue",
    "abandoned_ringing": "abandoned_ringing",
    "message_left": "message_left",
    "callback_requested": "callback_requested",
}


def final_outcome(
    acd_outcome: str | None, *, interrupted: bool, asked_for_agent: bool, message_in_menu: bool
) -> FinalOutcome:
    """`acd_outcome`: the core's `CallOutcome` for the call, if it reached the queue;
    `interrupted`: the session ended by an error or a daemon stop rather than by a hang-up or
    the end of the flow."""
    acd = _ACD.get(acd_outcome) if acd_outcome is not None else None
    if acd_outcome is not None and acd is None:
        raise AcdError(f"unknown ACD outcome {acd_outcome!r}")
    if acd == "agent_answered" or (acd is not None and not interrupted):
        return acd
    if interrupted:
        return "failed"
    if asked_for_agent:
        return "abandoned_queue"
    return "message_left" if message_in_menu else "ivr_only"
