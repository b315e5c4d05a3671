"""The ACD core: agents, waiting calls, offers under the 4-ring rule, wrap-up.

Pure: `handle(event, now) -> list[Command]`, `now` an aware UTC datetime. Every event is checked
against `acd.rules` before anything changes; an illegal one raises `AcdError` naming the state and
the event. Timers are commands (`StartTimer` / `CancelTimer`) and come back as `TimerFired`; a
`TimerFired` for a key that is no longer active (it raced its cancel) is ignored.

The core owns a call's whole ACD life: the waiting caller's announcements (`AnnouncePosition`,
`AnnounceLongWait`) are its timers, the offer (`Offer`) and the ring (`RingStarted`, then the
Dial's result), and the call's outcome (`CallOutcome`, exactly once). Routing: `acd.routing`;
call events: `acd.call_steps`; this module: queries, agent events and timers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from . import events as ev
from .agents import AgentView
from .call_steps import CallSteps
from .commands import Command, Log
from .rules import AcdError, agent_next


class AcdCore(CallSteps):
    # --- queries -----------------------------------------------------------------------------

    def position(self, call_id: str) -> int:
        """1-based place among waiting calls of the same category (您前面还有 position-1 位);
        0 while an agent rings or talks."""
        call = self.queue.calls.get(call_id)
        if call is None:
            raise AcdError(f"call {call_id} is unknown: position() needs a queued call")
        return self.queue.position(call)

    def call_state(self, call_id: str) -> str | None:
        """waiting | ringing | talking for a call the core holds; None once it has left."""
        call = self.queue.calls.get(call_id)
        return call.state if call is not None else None

    def calls_held(self) -> list[str]:
        return list(self.queue.calls)

    def waiting_count(self, category: str | None = None) -> int:
        return self.queue.waiting_count(category)

    def agents_by_state(self) -> dict[str, list[str]]:
        return self.pool.by_state()

    def agent(self, agent_id: str) -> AgentView:
        return self.pool.get(agent_id, "agent()").view()

    def snapshot(self) -> dict[str, Any]:
        return self.pool.snapshot()

    def restore(self, data: dict[str, Any]) -> None:
        if self.queue.calls or self.timers:
            held = f"{len(self.queue.calls)} calls and {len(self.timers)} timers"
            raise AcdError(f"restore needs a fresh core: {held} present")
        self.pool.restore(data)

    def handle(self, event: ev.Event, now: datetime) -> list[Command]:
        if not isinstance(now, datetime) or now.tzinfo is None:
            raise AcdError(f"now must be an aware datetime, got {now!r}")
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise AcdError(f"unknown event {event!r}")
        out: list[Command] = []
        handler(self, event, now, out)
        return out

    # --- agents ------------------------------------------------------------------------------

    def _to_ready(
        self, e: ev.AgentLogin | ev.AgentResume | ev.WrapUpDone, now: datetime, out: list[Command]
    ) -> None:
        a = self.pool.get(e.agent_id, e)
        self._ready(a, agent_next(a.agent_id, a.label, a.state, e), now, out)

    def _logout_or_pause(self, e: ev.AgentLogout | ev.AgentPause, now: datetime, out: list[Command]) -> None:
        a = self.pool.get(e.agent_id, e)
        nxt = agent_next(a.agent_id, a.label, a.state, e)
        self._leave_ready(a, out)
        self._set(a, nxt, getattr(e, "reason", None), out)
        if nxt == "logged_out":
            a.idle_since = None

    def _registered(self, e: ev.AgentRegistered, now: datetime, out: list[Command]) -> None:
        """A softphone (un)registered. With `auto_login`, registering logs a logged-out agent in."""
        a = self.pool.get(e.agent_id, e)
        agent_next(a.agent_id, a.label, a.state, e)
        if a.registered != e.registered:
            a.registered = e.registered
            out.append(Log("agent_registration", None, a.agent_id, {"registered": e.registered}))
            if e.registered and self.settings.auto_login and a.state == "logged_out":
                self._ready(a, agent_next(a.agent_id, a.label, a.state, "AutoLogin"), now, out)
            else:
                self._offerable(a, now, out)

    # --- timers ------------------------------------------------------------------------------

    def _fired(self, e: ev.TimerFired, now: datetime, out: list[Command]) -> None:
        entry = self.timers.get(e.key)
        if entry is None:
            return  # it raced its CancelTimer
        kind, ident = entry
        self.timers.done(e.key)
        if kind == "announce":
            self._announce(self.queue.calls[ident], now, out)
        elif kind == "long_wait":
            self._long_wait(self.queue.calls[ident], out)
        elif kind == "wrap_up":
            a = self.pool.agents[ident]
            nxt = agent_next(a.agent_id, a.label, a.state, "WrapUpTimer")
            a.wrap_key = None
            self._ready(a, nxt, now, out)
        else:  # busy backoff over
            a = self.pool.agents[ident]
            a.backoff_key = None
            self._offerable(a, now, out)


_HANDLERS: dict[type, Callable[[AcdCore, Any, datetime, list[Command]], None]] = {
    ev.AgentLogin: AcdCore._to_ready,
    ev.AgentResume: AcdCore._to_ready,
    ev.WrapUpDone: AcdCore._to_ready,
    ev.AgentLogout: AcdCore._logout_or_pause,
    ev.AgentPause: AcdCore._logout_or_pause,
    ev.AgentRegistered: AcdCore._registered,
    ev.CallQueued: AcdCore._queued,
    ev.CallLeft: AcdCore._left,
    ev.CallEnded: AcdCore._ended,
    ev.RingStarted: AcdCore._ring_started,
    ev.OfferAnswered: AcdCore._answered,
    ev.OfferNoAnswer: AcdCore._no_answer,
    ev.OfferBusy: AcdCore._busy,
    ev.OfferUnavailable: AcdCore._unavailable,
    ev.TimerFired: AcdCore._fired,
}
