"""Calls in progress as the wallboard sees them, kept from the live events (pure, no I/O).

An inbound call is known from `call_started` (its number, masked at once: the board never holds
the full number), waits from `queued` (its category, VIP), rings an agent from `offered`, talks
from `answered` and is gone at `call_ended`. Events arrive as the bus's bodies ({"kind", "at", ...}).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.phone_number import masked

BOARD_KINDS = frozenset(
    {"call_started", "queued", "offered", "answered", "call_ended", "agent_state", "peak_mode"}
)


@dataclass(slots=True)
class LiveCall:
    uniqueid: str
    direction: str
    number: str  # masked
    started_at: datetime
    state: str = "ivr"  # ivr | waiting | ringing | talking
    category: str | None = None
    vip: bool = False
    queued_at: datetime | None = None
    agent_id: str | None = None


def event_time(body: Mapping[str, Any]) -> datetime:
    return datetime.fromisoformat(str(body["at"]))


class LiveCalls:
    def __init__(self) -> None:
        self.calls: dict[str, LiveCall] = {}

    def apply(self, body: Mapping[str, Any]) -> bool:
        """Fold one event in; True when the board shows something different now."""
        kind, uid = body.get("kind"), body.get("uniqueid")
        if not isinstance(uid, str):
            return False
        if kind == "call_started":
            number = masked(body.get("caller"))
            self.calls[uid] = LiveCall(uid, str(body.get("direction")), number, event_time(body))
            return True
        call = self.calls.get(uid)
        if call is None:
            return False
        if kind == "queued":
            call.state, call.queued_at = "waiting", event_time(body)
            call.category = str(body.get("category"))
            call.vip = int(body.get("priority") or 0) > 0
        elif kind == "offered":
            call.state, call.agent_id = "ringing", _agent(body)
        elif kind == "answered":
            call.state, call.agent_id = "talking", _agent(body)
        elif kind == "call_ended":
            del self.calls[uid]
        else:
            return False
        return True

    def waiting(self) -> list[LiveCall]:
        """Calls waiting for an agent or ringing one, longest waiting first."""
        queued = [c for c in self.calls.values() if c.state in ("waiting", "ringing") and c.queued_at]
        return sorted(queued, key=lambda c: (not c.vip, c.queued_at))

    def number_of(self, uniqueid: str | None) -> str | None:
        call = self.calls.get(uniqueid) if uniqueid is not None else None
        return call.number if call is not None else None


def _agent(body: Mapping[str, Any]) -> str | None:
    agent = body.get("agent_id")
    return agent if isinstance(agent, str) else None
