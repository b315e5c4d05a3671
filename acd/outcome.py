"""A call's one final outcome, decided in one place.

The ACD core says what happened to a call that reached it (`CallOutcome`: answered, abandoned
while queued or ringing, message, callback). Before the queue, the menu decides: the caller left
in the menu (`ivr_only`), left a voice message there (`message_left`), or asked for an agent but
hung up during the transfer prompt (`abandoned_queue`). A session broken by an error or stopped
with the daemon is `failed` - unless an agent had answered: that talk happened.
"""

from __future__ import annotations

from typing import Literal

from .commands import Outcome

FinalOutcome = Outcome | Literal["ivr_only", "failed"]


def final_outcome(
    acd: Outcome | None, *, interrupted: bool, asked_for_agent: bool, message_in_menu: bool
) -> FinalOutcome:
    """`acd`: the core's `CallOutcome` for the call, if it reached the queue; `interrupted`: the
    session ended by an error or a daemon stop rather than by a hang-up or the end of the flow."""
    if acd == "agent_answered" or (acd is not None and not interrupted):
        return acd
    if interrupted:
        return "failed"
    if asked_for_agent:
        return "abandoned_queue"
    return "message_left" if message_in_menu else "ivr_only"
