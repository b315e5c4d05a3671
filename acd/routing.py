"""What the ACD core does between events: put a call in line or offer it, make an agent ready or
take it out of the idle order, and the waiting caller's announcements (position, long wait).

Routing is event-driven and never scans: a call that starts waiting takes the longest-idle
offerable agent of its category at once, an agent that becomes offerable takes the first waiting
call of its skills at once; otherwise it goes into its heap. A call is never offered to the agent
whose own phone placed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .agents import Agent, AgentPool, AgentSpec
from .commands import AnnounceLongWait, AnnouncePosition, Command, Log, Offer
from .queue import Call, CallQueue
from .rules import agent_next
from .settings import AcdSettings
from .timers import Timers


class Routing:
    """The core's state and the steps its event handlers share."""

    def __init__(self, agents: Iterable[AgentSpec], settings: AcdSettings | None = None):
        self.settings = settings or AcdSettings()
        self.pool = AgentPool.of(list(agents))
        self.queue = CallQueue()
        self.timers = Timers()

    # --- agents ------------------------------------------------------------------------------

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
        call = self.queue.first_for(a.spec.skills, a.agent_id)
        if call is None:
            self.pool.push_idle(a)
        else:
            self._offer(call, a, now, out)

    # --- calls -------------------------------------------------------------------------------

    def _dispatch(self, call: Call, now: datetime, out: list[Command]) -> None:
        agent = self.pool.longest_idle(call.category, besides=call.placed_by)
        if agent is None:
            self._wait(call, now, out)
        else:
            self._offer(call, agent, now, out)

    def _wait(self, call: Call, now: datetime, out: list[Command]) -> None:
        """In line (new, or back from an offer): the caller hears their position at once, then
        every `position_announce_s`; a long-wait reminder that fell due meanwhile comes now."""
        self.queue.wait(call)
        if call.long_wait_due:
            call.long_wait_due = False
            out.append(AnnounceLongWait(call.call_id))
        self._announce(call, now, out)

    def _announce(self, call: Call, now: datetime, out: list[Command]) -> None:
        out.append(AnnouncePosition(call.call_id, self.queue.position(call) - 1))
        call.announce_key = self.timers.start(
            "announce", call.call_id, now, self.settings.position_announce_s, out
        )

    def _long_wait(self, call: Call, out: list[Command]) -> None:
        call.long_wait_key = None
        if call.state == "waiting":
            out.append(AnnounceLongWait(call.call_id))
        else:  # an agent is ringing: remind the caller if they come back to waiting
            call.long_wait_due = True

    def _offer(self, call: Call, a: Agent, now: datetime, out: list[Command]) -> None:
        nxt = agent_next(a.agent_id, a.label, a.state, "Offer")
        if call.state == "waiting":
            self.queue.unwait(call)
        self.timers.cancel(call.announce_key, out)
        call.announce_key = None
        call.state, call.agent_id, call.offered_at, call.ring_started_at = "ringing", a.agent_id, now, None
        call.offers += 1
        a.call_id = call.call_id
        self._set(a, nxt, None, out)
        s = self.settings
        late = (now - call.at).total_seconds() > s.answer_target_s
        out.append(
            Log(
                "offer",
                call.call_id,
                a.agent_id,
                {"attempt": call.offers, "wait_s": _s(now, call.at), "late": late},
            )
        )
        out.append(Offer(call.call_id, a.agent_id, a.spec.extension, s.ring_timeout_s, late))

    def _drop(self, call: Call, out: list[Command]) -> None:
        """The call leaves the core: its timers go with it."""
        for key in (call.announce_key, call.long_wait_key):
            self.timers.cancel(key, out)
        call.announce_key = call.long_wait_key = None
        self.queue.drop(call)


def _s(now: datetime, then: datetime) -> float:
    return round((now - then).total_seconds(), 3)
