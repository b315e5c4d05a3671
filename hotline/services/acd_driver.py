"""The ACD core in the daemon: feeds it events, carries out its commands (offers, timers, logs).

One `AcdCore` for the process. Call sessions join the queue and receive their offers through a
per-call asyncio.Queue; AMI registrations and the agents' feature codes become agent events.
Agent state (logged in, paused) is saved to a JSON file on every change and restored at start,
so a daemon restart keeps who is logged in and paused.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import structlog

from acd import events as ev
from acd.agents import AgentSpec
from acd.commands import CallOutcome, CancelTimer, Log, Offer, StartTimer, StopRinging
from acd.core import AcdCore
from acd.settings import AcdSettings
from hotline.bus import EventBus
from hotline.settings import Settings
from hotline.store.recorder import CallRecorder

log = structlog.get_logger("acd")


class AcdRuntime:
    def __init__(
        self,
        settings: Settings,
        recorder: CallRecorder,
        bus: EventBus,
        clock: Callable[[], datetime],
        state_file: Path,
    ):
        acd = settings.acd
        self.core = AcdCore(
            [AgentSpec(a.id, a.extension, frozenset(a.skills)) for a in settings.agents],
            AcdSettings(
                ring_timeout_s=settings.answer_target.seconds,
                answer_target_s=settings.answer_target.seconds,
                wrap_up_s=acd.wrap_up_seconds,
            ),
        )
        self.recorder, self.bus, self.clock = recorder, bus, clock
        self.state_file = state_file
        self.by_extension = {a.extension: a.id for a in settings.agents}
        self.auto_login = acd.auto_login
        self._offers: dict[str, asyncio.Queue[Offer]] = {}
        self._outcomes: dict[str, str] = {}
        self._categories: dict[str, str] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._restore()

    # ---- state ---------------------------------------------------------------------------------
    def _restore(self) -> None:
        """Agents as saved; with no file, or an unusable one, every agent starts logged out (a
        corrupt file is kept aside as <name>.corrupt-<UTC time> and logged, never fatal)."""
        try:
            data = json.loads(self.state_file.read_bytes().decode("utf-8"))
            self.core.restore(data)  # checks every record before changing anything
        except FileNotFoundError:
            return
        except (IsADirectoryError, ValueError, TypeError, RecursionError) as exc:
            # ValueError covers bad JSON, non-UTF-8 bytes and a wrong shape (AcdError)
            self._set_aside(f"{type(exc).__name__}: {str(exc)[:200]}")
            return
        except OSError as exc:  # unreadable (permissions, I/O error): left where it is
            log.error("acd.state_file_unreadable", path=str(self.state_file), reason=str(exc))
            return
        log.info("acd.restored", agents=self.core.agents_by_state())

    def _set_aside(self, reason: str) -> None:
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.state_file.with_name(f"{self.state_file.name}.corrupt-{stamp}")
        n = 0
        while aside.exists() or aside.is_symlink():  # never overwrite an earlier corrupt copy
            n += 1
            aside = aside.with_name(f"{self.state_file.name}.corrupt-{stamp}-{n}")
        try:
            self.state_file.rename(aside)
        except OSError as exc:
            log.error(
                "acd.state_file_corrupt",
                path=str(self.state_file),
                reason=reason,
                moved_to=None,
                move_failed=str(exc),
            )
            return
        log.error(
            "acd.state_file_corrupt",
            path=str(self.state_file),
            reason=reason,
            moved_to=str(aside),
            agents="all logged out",
        )

    def _save(self) -> None:
        """Write the agents' states atomically; a failure is logged and the ACD goes on."""
        tmp = self.state_file.with_suffix(".tmp")
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(
                json.dumps(self.core.snapshot(), ensure_ascii=False, default=str), encoding="utf-8"
            )
            os.replace(tmp, self.state_file)  # atomic: a crash leaves the old or the new state
        except OSError as exc:
            log.error("acd.state_file_unwritable", path=str(self.state_file), reason=str(exc))

    # ---- events in -----------------------------------------------------------------------------
    def feed(self, event: ev.Event) -> None:
        commands = self.core.handle(event, self.clock())
        agent_changed = False
        for cmd in commands:
            if isinstance(cmd, Offer):
                queue = self._offers.get(cmd.call_id)
                if queue is not None:
                    queue.put_nowait(cmd)
            elif isinstance(cmd, StartTimer):
                self._start_timer(cmd)
            elif isinstance(cmd, CancelTimer):
                handle = self._timers.pop(cmd.key, None)
                if handle is not None:
                    handle.cancel()
            elif isinstance(cmd, CallOutcome):
                self._outcomes[cmd.call_id] = cmd.outcome
            elif isinstance(cmd, Log):
                agent_changed |= cmd.kind == "agent_state"
                self._log(cmd)
            elif isinstance(cmd, StopRinging):
                log.warning(
                    "acd.ring_guard",
                    call=cmd.call_id,
                    agent=cmd.agent_id,
                    note="no Dial result after the ring timeout; counted as no answer",
                )
        if agent_changed:
            self._save()

    def _start_timer(self, cmd: StartTimer) -> None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, (cmd.at - self.clock()).total_seconds())
        self._timers[cmd.key] = loop.call_later(delay, self._fire, cmd.key)

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
            self.bus.publish("agent_state", {"agent_id": cmd.agent_id, **cmd.data})
        elif cmd.kind == "offer":
            self.bus.publish("offered", {"uniqueid": cmd.call_id, "agent_id": cmd.agent_id})
        elif cmd.kind == "answer":
            self.bus.publish("answered", {"uniqueid": cmd.call_id, "agent_id": cmd.agent_id})

    # ---- for call sessions ---------------------------------------------------------------------
    def join(self, call_id: str, category: str, priority: int, at: datetime) -> asyncio.Queue[Offer]:
        queue: asyncio.Queue[Offer] = asyncio.Queue()
        self._offers[call_id] = queue
        self._categories[call_id] = category
        self.feed(ev.CallQueued(call_id, category, priority, at))
        return queue

    def category_of(self, call_id: str) -> str:
        return self._categories[call_id]

    def forget(self, call_id: str) -> str | None:
        """The call's session is over, whatever ended it: the call leaves the core (a caller still
        waiting or ringing has left; a talk has ended), so it is never offered again. Returns the
        core's outcome for it, if it gave one."""
        state = self.core.call_state(call_id)
        if state in ("waiting", "ringing"):
            self.feed(ev.CallLeft(call_id, "hangup"))
        elif state == "talking":
            self.feed(ev.CallEnded(call_id))
        self._offers.pop(call_id, None)
        self._categories.pop(call_id, None)
        return self._outcomes.pop(call_id, None)

    def registration(self, extension: str, registered: bool) -> None:
        """From AMI: a softphone (un)registered. With auto_login, registering logs the agent in."""
        agent_id = self.by_extension.get(extension)
        if agent_id is None:
            return
        self.feed(ev.AgentRegistered(agent_id, registered))
        if registered and self.auto_login and self.core.agent(agent_id).state == "logged_out":
            self.feed(ev.AgentLogin(agent_id))

    def snapshot(self) -> dict:
        return {
            "waiting": self.core.waiting_count(),
            "agents": {k: len(v) for k, v in self.core.agents_by_state().items()},
        }

    def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
