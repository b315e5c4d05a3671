"""Which inbound callers the dialer calls back (pure): those who asked for it in the queue, and
those who hung up in the queue after waiting long enough (`outbound.callback_after_abandon_seconds`)."""

from __future__ import annotations


def callback_why(outcome: str, waited_s: float | None, abandon_after_s: float) -> str | None:
    """Why the caller of an inbound call that ended with `outcome` is to be called back: asked
    for it, or hung up in the queue after waiting `abandon_after_s` or longer (0 = never); None
    if not."""
    if outcome == "callback_requested":
        return "asked"
    if (
        outcome in ("abandoned_queue", "abandoned_ringing")
        and abandon_after_s > 0
        and waited_s is not None
        and waited_s >= abandon_after_s
    ):
        return f"abandoned after {waited_s:.0f} s"
    return None
