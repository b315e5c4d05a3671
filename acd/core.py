"""The ACD core: agents, waiting calls, offers under the 4-ring rule, wrap-up.

Pure: `handle(event, now) -> list[Command]`, `now` an aware UTC datetime. Every event is checked
against `acd.rules` before anything changes; an illegal one raises `AcdError` naming the state and
the event. Timers are commands (`StartTimer` / `CancelTimer`) and come back as `TimerFired`; a
`TimerFired` for a key that is no longer active (it raced its cancel) is ignored.

Routing is event-driven and never scans: a call that starts waiting takes the longest-idle
offerable agent of its category at once, an agent that becomes offerable takes the first waiting
call of its skills at once; otherwise it goes into its heap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from . import events as ev
from .agents import Agent, AgentPool, AgentSpec, AgentView
from .commands import CallOutcome, Command, Log, Offer, StopRinging
from .queue import Call, CallQueue
from .rules import AcdError, agent_next, call_next
from .settings import AcdSettings
from .timers import Timers

NO_ANSWER = "no answer"
LEFT = {"hangup": None, "message": "message_left", "callback": "callback_requested"}


class AcdCore:
    def __init__(self, agents: Iterable[AgentSpec], settings: AcdSettings | None = None):
        self.settings = settings or AcdSettings()
        self.pool = AgentPool.of(list(agents))
        self.queue = CallQueue()
        self.timers = Timers()

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
            raise AcdError(
                f"restore needs a fresh core: {len(self.queue.calls)} calls and "
                f"{len(self.timers)} timers present"
            )
        self.pool.restore(data)

    def handle(self, event: ev.Event, now: datetime) -> list[Command]:
        if not isinstance(now, datetime) or now.tzinfo is None:
            raise ValueError(f"now must be an aware datetime, got {now!r}")
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
        a = self.pool.get(e.agent_id, e)
        agent_next(a.agent_id, a.label, a.state, e)
        if a.registered != e.registered:
            a.registered = e.registered
            out.append(Log("agent_registration", None, a.agent_id, {"registered": e.registered}))
            self._offerable(a, now, out)

    def _set(self, a: Agent, state: str, reason: str | None, out: list[Command]) -> None:
        before, call_id = a.label, a.call_id
        a.state, a.reason = state, reason if state == "paused" else None
        if state in ("logged_out", "ready", "paused"):
            a.call_id = None
        out.append(Log("agent_state", call_id, a.agent_id, {"from": before, "to": a.label}))

    def _ready(self, a: Agent, state: str, now: datetime, out: list[Command]) -> None:
        """Back to ready after login, resume or wrap-up: idle from now, offer at once."""
        self._leave_ready(a, out)
        self._set(a, state, None, out)
        a.idle_since = now
        self._offerable(a, now, out)

    def _leave_ready(self, a: Agent, out: list[Command]) -> None:
        for key in (a.wrap_key, a.backoff_key):
            self.timers.cancel(key, out)
        a.wrap_key = a.backoff_key = None

    def _offerable(self, a: Agent, now: datetime, out: list[Command]) -> None:
        if not a.offerable:
            return
        call = self.queue.first_for(a.spec.skills)
        if call is None:
            self.pool.push_idle(a)
        else:
            self._offer(call, a, now, out)

    # --- calls -------------------------------------------------------------------------------

    def _call(self, call_id: str, event: object) -> Call:
        call = self.queue.calls.get(call_id)
        if call is None:
            call_next(call_id, "unknown", event)  # raises: only CallQueued may start a call
        return call  # type: ignore[return-value]

    def _queued(self, e: ev.CallQueued, now: datetime, out: list[Command]) -> None:
        known = self.queue.calls.get(e.call_id)
        call_next(e.call_id, known.state if known else "unknown", e)
        if e.at.tzinfo is None:
            raise ValueError(f"CallQueued.at must be aware, got {e.at!r}")
        call = self.queue.new(e.call_id, e.category, e.priority, e.at)
        out.append(
            Log(
                "queued",
                call.call_id,
                None,
                {"category": e.category, "priority": e.priority, "wait_s": _s(now, e.at)},
            )
        )
        self._dispatch(call, now, out)

    def _dispatch(self, call: Call, now: datetime, out: list[Command]) -> None:
        agent = self.pool.longest_idle(call.category)
        if agent is None:
            self.queue.wait(call)
        else:
            self._offer(call, agent, now, out)

    def _offer(self, call: Call, a: Agent, now: datetime, out: list[Command]) -> None:
        nxt = agent_next(a.agent_id, a.label, a.state, "Offer")
        if call.state == "waiting":
            self.queue.unwait(call)
        call.state, call.agent_id, call.offered_at = "ringing", a.agent_id, now
        call.offers += 1
        a.call_id = call.call_id
        self._set(a, nxt, None, out)
        s = self.settings
        late = (now - call.at).total_seconds() > s.answer_target_s
        call.ring_key = self.timers.start("ring", call.call_id, now, s.ring_timeout_s + s.ring_guard_s, out)
        out.append(
            Log(
                "offer",
                call.call_id,
                a.agent_id,
                {"attempt": call.offers, "wait_s": _s(now, call.at), "late": late},
            )
        )
        out.append(Offer(call.call_id, a.agent_id, a.spec.extension, s.ring_timeout_s, late))

    def _ringing(self, e: ev.OfferEvent) -> tuple[Call, Agent, str, str]:
        """Check an offer result against the call and the agent; change nothing."""
        call = self._call(e.call_id, e)
        call_nxt = call_next(call.call_id, call.state, e)
        if call.agent_id != e.agent_id:
            raise AcdError(f"call {call.call_id} is ringing agent {call.agent_id}: {e!r} is not allowed")
        a = self.pool.get(e.agent_id, e)
        return call, a, call_nxt, agent_next(a.agent_id, a.label, a.state, e)

    def _end_ring(self, call: Call, a: Agent, kind: str, now: datetime, out: list[Command]) -> None:
        self.timers.cancel(call.ring_key, out)
        call.ring_key = None
        assert call.offered_at is not None
        out.append(
            Log(
                kind,
                call.call_id,
                a.agent_id,
                {"attempt": call.offers, "ring_s": _s(now, call.offered_at), "wait_s": _s(now, call.at)},
            )
        )

    def _answered(self, e: ev.OfferAnswered, now: datetime, out: list[Command]) -> None:
        call, a, call_nxt, nxt = self._ringing(e)
        self._end_ring(call, a, "answer", now, out)
        call.state, call.answered_at = call_nxt, now
        self._set(a, nxt, None, out)
        out.append(CallOutcome(call.call_id, "agent_answered"))

    def _no_answer(self, e: ev.OfferNoAnswer, now: datetime, out: list[Command]) -> None:
        call, a, _, nxt = self._ringing(e)
        self._end_ring(call, a, "no_answer", now, out)
        self._set(a, nxt, NO_ANSWER, out)
        self._dispatch(call, now, out)

    def _busy(self, e: ev.OfferBusy, now: datetime, out: list[Command]) -> None:
        call, a, _, nxt = self._ringing(e)
        self._end_ring(call, a, "busy", now, out)
        self._set(a, nxt, None, out)
        a.backoff_key = self.timers.start("backoff", a.agent_id, now, self.settings.busy_backoff_s, out)
        self._dispatch(call, now, out)

    def _unavailable(self, e: ev.OfferUnavailable, now: datetime, out: list[Command]) -> None:
        call, a, _, nxt = self._ringing(e)
        self._end_ring(call, a, "unavailable", now, out)
        self._set(a, nxt, None, out)
        a.registered = False
        out.append(Log("agent_registration", None, a.agent_id, {"registered": False}))
        self._dispatch(call, now, out)

    def _left(self, e: ev.CallLeft, now: datetime, out: list[Command]) -> None:
        call = self._call(e.call_id, e)
        if e.reason not in LEFT:
            raise AcdError(f"call {e.call_id}: {e!r} has an unknown reason")
        call_next(call.call_id, call.state, e)
        a = None
        if call.state == "ringing":
            a = self.pool.agents[call.agent_id]  # type: ignore[index]
            nxt = agent_next(a.agent_id, a.label, a.state, e)
            self.timers.cancel(call.ring_key, out)
        phase = "ringing" if a else "queue"
        outcome = LEFT[e.reason] or f"abandoned_{phase}"
        self.queue.drop(call)
        out.append(
            Log(
                LEFT[e.reason] or "abandon",
                call.call_id,
                a.agent_id if a else None,
                {"phase": phase, "wait_s": _s(now, call.at), "offers": call.offers},
            )
        )
        out.append(CallOutcome(call.call_id, outcome))  # type: ignore[arg-type]
        if a is not None:
            self._set(a, nxt, None, out)  # keeps its idle_since: still first in line
            self._offerable(a, now, out)

    def _ended(self, e: ev.CallEnded, now: datetime, out: list[Command]) -> None:
        call = self._call(e.call_id, e)
        call_next(call.call_id, call.state, e)
        a = self.pool.agents[call.agent_id]  # type: ignore[index]
        nxt = agent_next(a.agent_id, a.label, a.state, e)
        self.queue.drop(call)
        assert call.answered_at is not None
        out.append(Log("call_end", call.call_id, a.agent_id, {"talk_s": _s(now, call.answered_at)}))
        self._set(a, nxt, None, out)
        if self.settings.wrap_up_s > 0:
            a.wrap_key = self.timers.start("wrap_up", a.agent_id, now, self.settings.wrap_up_s, out)
        else:
            self._ready(a, agent_next(a.agent_id, a.label, a.state, "WrapUpTimer"), now, out)

    # --- timers ------------------------------------------------------------------------------

    def _fired(self, e: ev.TimerFired, now: datetime, out: list[Command]) -> None:
        entry = self.timers.get(e.key)
        if entry is None:
            return  # it raced its CancelTimer
        kind, ident = entry
        if kind == "ring":  # Dial should have returned NOANSWER ring_guard_s ago
            call = self.queue.calls[ident]
            a = self.pool.agents[call.agent_id]  # type: ignore[index]
            call_next(call.call_id, call.state, "RingGuard")
            nxt = agent_next(a.agent_id, a.label, a.state, "RingGuard")
            self.timers.done(e.key)
            self._end_ring(call, a, "ring_timeout", now, out)
            out.append(StopRinging(call.call_id, a.agent_id))
            self._set(a, nxt, NO_ANSWER, out)
            self._dispatch(call, now, out)
        elif kind == "wrap_up":
            a = self.pool.agents[ident]
            nxt = agent_next(a.agent_id, a.label, a.state, "WrapUpTimer")
            self.timers.done(e.key)
            a.wrap_key = None
            self._ready(a, nxt, now, out)
        else:  # busy backoff over
            a = self.pool.agents[ident]
            self.timers.done(e.key)
            a.backoff_key = None
            self._offerable(a, now, out)


def _s(now: datetime, then: datetime) -> float:
    return round((now - then).total_seconds(), 3)


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
    ev.OfferAnswered: AcdCore._answered,
    ev.OfferNoAnswer: AcdCore._no_answer,
    ev.OfferBusy: AcdCore._busy,
    ev.OfferUnavailable: AcdCore._unavailable,
    ev.TimerFired: AcdCore._fired,
}
