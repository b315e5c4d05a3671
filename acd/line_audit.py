"""Line audit: a line held for a call whose channel Asterisk no longer has is a leak.

Pure core. The daemon lists Asterisk's live channels (AMI CoreShowChannels) every so often and
asks `LineAudit.check` which held lines to free. A line is judged only when it was seized more
than `grace_s` ago and its channel was missing from two checks in a row, so a call whose channel
is just being created (or a listing that raced with it) is never cut. While no held line is past
its grace (`due` is false) a check judges nothing whatever the listing says, so the daemon does
not ask Asterisk for one: a listing costs both sides CPU in proportion to the calls up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .rules import AcdError


@dataclass(frozen=True, slots=True)
class HeldLine:
    call_id: str
    channel_id: str  # Asterisk's uniqueid of the call's channel
    seized_at: datetime
    has_session: bool  # a call session owns it (it frees the line when it ends)


@dataclass(frozen=True, slots=True)
class EndSession:
    """The session owning the line serves a channel that is gone: end it (it frees the line)."""

    call_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class FreeLine:
    """Nobody owns the line any more: free it."""

    call_id: str
    reason: str


Verdict = EndSession | FreeLine


class LineAudit:
    def __init__(self, grace_s: float = 60.0) -> None:
        if grace_s < 0:
            raise AcdError(f"grace_s must be >= 0, got {grace_s}")
        self.grace_s = grace_s
        self._missing: set[str] = set()  # call ids whose channel was missing at the last check

    def _past_grace(self, line: HeldLine, now: datetime) -> bool:
        return (now - line.seized_at).total_seconds() > self.grace_s

    def due(self, held: list[HeldLine], now: datetime) -> bool:
        """Whether a listing of the live channels can matter: some held line is past its grace."""
        return any(self._past_grace(h, now) for h in held)

    def check(self, held: list[HeldLine], live: set[str], now: datetime) -> list[Verdict]:
        missing = {h.call_id for h in held if h.channel_id not in live and self._past_grace(h, now)}
        confirmed, self._missing = missing & self._missing, missing
        verdicts: list[Verdict] = []
        for h in held:
            if h.call_id in confirmed:
                reason = f"channel {h.channel_id} is gone in Asterisk (line audit)"
                verdicts.append(
                    EndSession(h.call_id, reason) if h.has_session else FreeLine(h.call_id, reason)
                )
        return verdicts
