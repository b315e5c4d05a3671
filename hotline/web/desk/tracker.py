"""Inbound calls as the agent desk follows them, from the live events (pure, no I/O).

Unlike the wallboard (which masks numbers at once), the desk keeps the caller's number: the agent
who takes the call sees it. A call is known from `call_started`, walks the menu (`ivr_step`),
waits (`queued`: category, VIP), is offered to an agent and answered; after `call_ended` it is
kept only while it is some agent's last call, so that agent can still file its disposition,
an order or a flag for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.web.live.calls import event_time

DESK_KINDS = frozenset(
    {"call_started", "ivr_step", "queued", "offered", "answered", "call_ended", "agent_state"}
)


@dataclass(slots=True)
class DeskCall:
    uniqueid: str
    caller: str
    started_at: datetime
    steps: list[tuple[str, str | None]] = field(default_factory=list)  # (menu node, key pressed)
    category: str | None = None
    vip: bool = False
    queued_at: datetime | None = None
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None
    agent_id: str | None = None

    def waited_s(self, now: datetime) -> float | None:
        """From joining the queue to the answer (or to now while it waits)."""
        if self.queued_at is None:
            return None
        until = self.answered_at or self.ended_at or now
        return max(0.0, (until - self.queued_at).total_seconds())


class DeskCalls:
    def __init__(self) -> None:
        self.calls: dict[str, DeskCall] = {}
        self.last: dict[str, str] = {}  # agent 工号 -> the call last offered to them

    def apply(self, body: Mapping[str, Any]) -> set[str]:
        """Fold one live event in; returns the agents whose desk shows something new."""
        kind = body.get("kind")
        if kind == "agent_state":
            agent = body.get("agent_id")
            return {agent} if isinstance(agent, str) else set()
        uid = body.get("uniqueid")
        if kind not in DESK_KINDS or not isinstance(uid, str):
            return set()
        if kind == "call_started":
            if body.get("direction") == "inbound":
                self.calls[uid] = DeskCall(uid, str(body.get("caller") or ""), event_time(body))
            return set()
        call = self.calls.get(uid)
        if call is None:
            return set()
        self._step(call, str(kind), body)
        if kind == "call_ended" and call.agent_id is None:
            del self.calls[uid]
        return {call.agent_id} if call.agent_id is not None else set()

    def _step(self, call: DeskCall, kind: str, body: Mapping[str, Any]) -> None:
        at = event_time(body)
        if kind == "ivr_step":
            key = body.get("key")
            call.steps.append((str(body.get("node")), key if isinstance(key, str) else None))
        elif kind == "queued":
            call.queued_at, call.category = at, str(body.get("category"))
            call.vip = int(body.get("priority") or 0) > 0
        elif kind in ("offered", "answered"):
            agent = body.get("agent_id")
            if isinstance(agent, str):
                self._take(agent, call)
            if kind == "offered":
                call.offered_at = at
            else:
                call.answered_at = at
        elif kind == "call_ended":
            call.ended_at, call.outcome = at, str(body.get("outcome"))

    def _take(self, agent: str, call: DeskCall) -> None:
        """`call` is now `agent`'s: the call they had before is dropped once it has ended and
        no one else holds it."""
        previous = self.last.get(agent)
        call.agent_id = agent
        self.last[agent] = call.uniqueid
        if previous is None or previous == call.uniqueid:
            return
        old = self.calls.get(previous)
        if old is not None and old.ended_at is not None and old.uniqueid not in self.last.values():
            del self.calls[previous]

    def of_agent(self, agent: str) -> DeskCall | None:
        """The call on `agent`'s desk: the one offered to them last (ringing, talking, or ended
        and waiting for its disposition)."""
        uid = self.last.get(agent)
        return self.calls.get(uid) if uid is not None else None
