"""The ACD core in the daemon: feeds it events, carries out its commands.

One `AcdCore` for the process. A call session joins the queue and receives what the core tells
it (offers, position and long-wait announcements) through its own inbox; it reports the ring's
start and the Dial's result, and `forget` takes the call out of the core however the session
ended. AMI registrations and the agents' feature codes become agent events. Agent states are
saved on every change (`AgentStateFile`). The scheduler is injected (`scheduling`: the event
loop by default), so tests drive timers with a fake clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from acd import events as ev
from acd.agents import AgentSpec, AgentView
from acd.commands import CallOutcome, CancelTimer, Log, Outcome, StartTimer, ToCall
from acd.core import AcdCore
from acd.settings import AcdSettings
from hotline.bus import EventBus
from hotline.services.agent_state_file import AgentStateFile
from hotline.services.scheduling import Cancellable, LoopScheduler, Scheduler
from hotline.settings import Settings
from hotline.store.recorder import CallRecorder


def acd_settings(settings: Settings) -> AcdSettings:
    acd = settings.acd
    return AcdSettings(
        ring_timeout_s=settings.answer_target.seconds,
        answer_target_s=settings.answer_target.seconds,
        wrap_up_s=acd.wrap_up_seconds,
        position_announce_s=acd.position_announce_seconds,
        max_wait_s=acd.max_wait_seconds,
        auto_login=acd.auto_login,
    )


class AcdRuntime:
    def __init__(
        self,
        settings: Settings,
        recorder: CallRecorder,
        bus: EventBus,
        clock: Callable[[], datetime],
        state_file: Path,
        scheduler: Scheduler | None = None,
    ):
        specs = [AgentSpec(a.id, a.extension, frozenset(a.skills)) for a in settings.agents]
        self.core = AcdCore(specs, acd_settings(settings))
        self.settings, self.recorder, self.bus, self.clock = settings, recorder, bus, clock
        self.scheduler = scheduler or LoopScheduler()
        self.state_file = AgentStateFile(state_file, clock)
        self._inboxes: dict[str, deque[ToCall]] = {}
        self._outcomes: dict[str, Outcome] = {}
        self._timers: dict[str, Cancellable] = {}
        self.state_file.restore_into(self.core)

    # ---- events in -----------------------------------------------------------------------------
    def feed(self, event: ev.Event) -> None:
        agent_changed = False
        for cmd in self.core.handle(event, self.clock()):
            if isinstance(cmd, StartTimer):
                delay = max(0.0, (cmd.at - self.clock()).total_seconds())
                self._timers[cmd.key] = self.scheduler.call_later(delay, partial(self._fire, cmd.key))
            elif isinstance(cmd, CancelTimer):
                handle = self._timers.pop(cmd.key, None)
                if handle is not None:
                    handle.cancel()
            elif isinstance(cmd, CallOutcome):
                self._outcomes[cmd.call_id] = cmd.outcome
            elif isinstance(cmd, Log):
                agent_changed |= cmd.kind == "agent_state"
                self._log(cmd)
            else:  # Offer / AnnouncePosition / AnnounceLongWait: for the call's session
                inbox = self._inboxes.get(cmd.call_id)
                if inbox is not None:
                    inbox.append(cmd)
        if agent_changed:
            self.state_file.save(self.core.snapshot())

    def _fire(self, key: str) -> None:
        self._timers.pop(key, None)
        self.feed(ev.TimerFired(key))

    def _log(self, cmd: Log) -> None:
        data = {**cmd.data, "agent_id": cmd.agent_id}
        # a state change without a call (login, pause, resume) is kept under "agent-<工号>"; the
        # others under their call. Reports find both by data.agent_id (hotline/reports/pause*.py)
        key = cmd.call_id if cmd.call_id is not None else f"agent-{cmd.agent_id}"
        self.recorder.event(key, self.clock(), cmd.kind, data)
        if cmd.kind == "agent_state":
            self.bus.agent_state(cmd.agent_id, cmd.data)
        elif cmd.kind == "offer" and cmd.call_id is not None:
            self.bus.offered(cmd.call_id, cmd.agent_id)
        elif cmd.kind == "answer" and cmd.call_id is not None:
            self.bus.answered(cmd.call_id, cmd.agent_id)

    # ---- for call sessions ---------------------------------------------------------------------
    def join(
        self, call_id: str, category: str, priority: int, at: datetime, placed_by: str | None = None
    ) -> deque[ToCall]:
        """The call waits for an agent; its session reads what to do from the returned inbox."""
        inbox: deque[ToCall] = deque()
        self._inboxes[call_id] = inbox
        self.feed(ev.CallQueued(call_id, category, priority, at, placed_by))
        return inbox

    def position(self, call_id: str) -> int:
        return self.core.position(call_id)

    def forget(self, call_id: str) -> Outcome | None:
        """The call's session is over, whatever ended it: the call leaves the core (a caller still
        waiting or ringing has left; a talk has ended), so it is never offered again. Returns the
        core's outcome for it, if it gave one."""
        state = self.core.call_state(call_id)
        if state in ("waiting", "ringing"):
            self.feed(ev.CallLeft(call_id, "hangup"))
        elif state == "talking":
            self.feed(ev.CallEnded(call_id))
        self._inboxes.pop(call_id, None)
        return self._outcomes.pop(call_id, None)

    # ---- agents --------------------------------------------------------------------------------
    def agent_for_extension(self, extension: str) -> str | None:
        """The 工号 whose softphone is this PJSIP endpoint (the one extension→agent map)."""
        agent = self.settings.agent_by_extension(extension)
        return agent.id if agent is not None else None

    def agent(self, agent_id: str) -> AgentView:
        return self.core.agent(agent_id)

    def registration(self, extension: str, registered: bool) -> None:
        """From AMI: a softphone (un)registered (auto-login is the core's rule)."""
        agent_id = self.agent_for_extension(extension)
        if agent_id is not None:
            self.feed(ev.AgentRegistered(agent_id, registered))

    def snapshot(self) -> dict[str, object]:
        return {
            "waiting": self.core.waiting_count(),
            "agents": {k: len(v) for k, v in self.core.agents_by_state().items()},
        }

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
