"""The ACD core's call events: a caller joins the queue, the offered agent's phone rings and
answers (or not), the caller leaves, the talk ends. Each is checked against `acd.rules` first."""

from __future__ import annotations

from datetime import datetime

from . import events as ev
from .agents import Agent
from .commands import CallOutcome, Command, Log, Outcome
from .queue import Call
from .routing import Routing, _s
from .rules import AcdError, agent_next, call_next

NO_ANSWER = "no answer"
LEFT: dict[str, Outcome | None] = {
    "hangup": None,
    "message": "message_left",
    "callback": "callback_requested",
}


class CallSteps(Routing):
    def _call(self, call_id: str, event: object) -> Call:
        call = self.queue.calls.get(call_id)
        if call is None:
            call_next(call_id, "unknown", event)  # raises: only CallQueued may start a call
            raise AssertionError("unreachable")
        return call

    def _queued(self, e: ev.CallQueued, now: datetime, out: list[Command]) -> None:
        known = self.queue.calls.get(e.call_id)
        call_next(e.call_id, known.state if known else "unknown", e)
        if e.at.tzinfo is None:
            raise AcdError(f"CallQueued.at must be aware, got {e.at!r}")
        call = self.queue.new(e.call_id, e.category, e.priority, e.at, e.placed_by)
        data = {"category": e.category, "priority": e.priority, "wait_s": _s(now, e.at)}
        out.append(Log("queued", call.call_id, None, data))
        due = max(0.0, self.settings.max_wait_s - (now - e.at).total_seconds())
        call.long_wait_key = self.timers.start("long_wait", call.call_id, now, due, out)
        self._dispatch(call, now, out)

    def _ringing(self, e: ev.RingEvent) -> tuple[Call, Agent, str, str]:
        """Check a ring event against the call and the agent; change nothing."""
        call = self._call(e.call_id, e)
        call_nxt = call_next(call.call_id, call.state, e)
        if call.agent_id != e.agent_id:
            raise AcdError(f"call {call.call_id} is ringing agent {call.agent_id}: {e!r} is not allowed")
        a = self.pool.get(e.agent_id, e)
        return call, a, call_nxt, agent_next(a.agent_id, a.label, a.state, e)

    def _ring_started(self, e: ev.RingStarted, now: datetime, out: list[Command]) -> None:
        call, a, _, _ = self._ringing(e)
        if call.ring_started_at is None:
            call.ring_started_at = now
            assert call.offered_at is not None
            data = {"attempt": call.offers, "after_offer_s": _s(now, call.offered_at)}
            out.append(Log("ring", call.call_id, a.agent_id, data))

    def _end_ring(self, call: Call, a: Agent, kind: str, now: datetime, out: list[Command]) -> None:
        """The offer's result: ring time counts from the Dial's start (from the offer if the
        session never said it started)."""
        rang_from = call.ring_started_at or call.offered_at
        assert rang_from is not None
        data = {"attempt": call.offers, "ring_s": _s(now, rang_from), "wait_s": _s(now, call.at)}
        out.append(Log(kind, call.call_id, a.agent_id, data))

    def _answered(self, e: ev.OfferAnswered, now: datetime, out: list[Command]) -> None:
        call, a, call_nxt, nxt = self._ringing(e)
        self._end_ring(call, a, "answer", now, out)
        call.state, call.answered_at = call_nxt, now
        self.timers.cancel(call.long_wait_key, out)
        call.long_wait_key, call.long_wait_due = None, False
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
        a = self.pool.agents[call.agent_id] if call.state == "ringing" and call.agent_id else None
        nxt = agent_next(a.agent_id, a.label, a.state, e) if a is not None else None
        phase = "ringing" if a else "queue"
        outcome: Outcome = LEFT[e.reason] or ("abandoned_ringing" if a else "abandoned_queue")
        data = {"phase": phase, "wait_s": _s(now, call.at), "offers": call.offers}
        if call.state == "waiting":
            data["position"] = self.queue.position(call)
        self._drop(call, out)
        out.append(Log(LEFT[e.reason] or "abandon", call.call_id, a.agent_id if a else None, data))
        out.append(CallOutcome(call.call_id, outcome))
        if a is not None and nxt is not None:
            self._set(a, nxt, None, out)  # keeps its idle_since: still first in line
            self._offerable(a, now, out)

    def _ended(self, e: ev.CallEnded, now: datetime, out: list[Command]) -> None:
        call = self._call(e.call_id, e)
        call_next(call.call_id, call.state, e)
        assert call.agent_id is not None and call.answered_at is not None
        a = self.pool.agents[call.agent_id]
        nxt = agent_next(a.agent_id, a.label, a.state, e)
        self._drop(call, out)
        out.append(Log("call_end", call.call_id, a.agent_id, {"talk_s": _s(now, call.answered_at)}))
        self._set(a, nxt, None, out)
        if self.settings.wrap_up_s > 0:
            a.wrap_key = self.timers.start("wrap_up", a.agent_id, now, self.settings.wrap_up_s, out)
        else:
            self._ready(a, agent_next(a.agent_id, a.label, a.state, "WrapUpTimer"), now, out)
