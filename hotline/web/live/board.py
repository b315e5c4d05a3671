"""The supervisor's wallboard: one JSON state built from the live events, the ACD's view of its
agents, the lines and today's figures, pushed to every browser watching (push.py).

Fed by the daemon: `on_event` is a bus listener (every live event, in-process), `on_item` a call
recorder observer (what the store is asked to write: today's figures). `run()` re-checks what
depends on the clock alone (a wait passing the limit, midnight) once a second.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

import structlog
from sqlalchemy.exc import SQLAlchemyError

from acd.agents import AgentView
from acd.call_steps import NO_ANSWER
from acd.rules import AcdError
from acd.supervision import SUPERVISOR_PAUSE
from acd.trunks import TrunkCapacity
from hotline.settings import Settings
from hotline.settings.categories import UNCATEGORISED
from hotline.store.batch import Item
from hotline.web.live.alerts import Alert, Health, alerts
from hotline.web.live.calls import BOARD_KINDS, LiveCall, LiveCalls, event_time
from hotline.web.live.push import Broadcast
from hotline.web.live.today import Today

log = structlog.get_logger("web")

STATE_LABELS = {
    "logged_out": "未登录",
    "ready": "空闲",
    "ringing": "振铃",
    "talking": "通话",
    "wrap_up": "话后整理",
    "paused": "暂停",
}
REASON_LABELS = {  # acd.feature_codes.PAUSE_REASONS, the ACD's own pause after 4 unanswered rings
    "break": "休息",
    "meeting": "会议",
    "training": "培训",
    "other": "其他",
    NO_ANSWER: "振铃未接",
    SUPERVISOR_PAUSE: "班长暂停",  # forced from the wallboard (hotline/web/supervise_routes.py)
}


class Acd(Protocol):
    def agent(self, agent_id: str) -> AgentView: ...
    def position(self, call_id: str) -> int: ...


class LiveBoard:
    def __init__(
        self,
        settings: Settings,
        *,
        acd: Acd,
        trunks: TrunkCapacity,
        today: Today,
        health: Callable[[], Health],
        clock: Callable[[], datetime],
        min_push_interval_s: float = 0.1,
    ) -> None:
        self.settings = settings
        self.web = settings.web
        self.acd = acd
        self._trunks = trunks
        self.today = today
        self._health = health
        self.clock = clock
        self.calls = LiveCalls()
        self._since: dict[str, datetime] = {}
        self._started = clock()
        self._last_event_at: str | None = None
        self._last_seq = 0
        self._alerts: list[Alert] = []
        self.broadcast = Broadcast(self.render, min_interval_s=min_push_interval_s)

    # ---- facts in --------------------------------------------------------------------------
    def on_event(self, body: Mapping[str, Any]) -> None:
        kind = body.get("kind")
        if kind not in BOARD_KINDS:
            return
        self._last_event_at, self._last_seq = str(body.get("at")), int(body.get("seq") or 0)
        if kind == "agent_state" and isinstance(body.get("agent_id"), str):
            self._since[str(body["agent_id"])] = event_time(body)
        self.calls.apply(body)
        self.broadcast.changed()

    def on_item(self, item: Item) -> None:
        self.today.apply(item)
        self.broadcast.changed()

    async def run(self, tick_s: float = 1.0) -> None:
        """Clock-only changes: alerts that appear by waiting, and the new day at midnight."""
        while True:
            await asyncio.sleep(tick_s)
            now = self.clock()
            try:
                rolled = await self.today.roll_if_new_day(now)
            except (SQLAlchemyError, OSError) as exc:  # last week's hours stay; tried next tick
                log.warning("web.last_week_unreadable", error=f"{type(exc).__name__}: {exc}")
                rolled = True
            if rolled or self._current_alerts(now) != self._alerts:
                self.broadcast.changed()

    def close(self) -> None:
        self.broadcast.close()

    # ---- the state -------------------------------------------------------------------------
    def render(self) -> bytes:
        return json.dumps(self.state(), ensure_ascii=False, separators=(",", ":")).encode()

    def state(self) -> dict[str, Any]:
        now = self.clock()
        self._alerts = self._current_alerts(now)
        today = self.today.agents_today()
        return {
            "now": now.isoformat(),
            "event_at": self._last_event_at,
            "seq": self._last_seq,
            "waiting": [self._waiting_row(c) for c in self.calls.waiting()],
            "agents": [self._agent_row(a.id, a.name, today.get(a.id, {})) for a in self.settings.agents],
            "lines": {
                d: {"used": self._trunks.in_use(d), "total": self._trunks.limits[d]}
                for d in ("inbound", "outbound")
            },
            "today": self.today.figures(now),
            "alerts": [{"level": a.level, "text": a.text} for a in self._alerts],
            "answer_target_s": self.settings.answer_target.seconds,
            "tz": self.today.day.period.tz.key,  # the center's clock on the page
        }

    def _current_alerts(self, now: datetime) -> list[Alert]:
        return alerts(
            now=now,
            waiting=self.calls.waiting(),
            agents=[self.acd.agent(a.id) for a in self.settings.agents],
            recent=self.today.recent(now),
            goal=self.web.service_level_goal if self.web is not None else 0.8,
            wait_limit_s=self.web.wall_alert_wait_seconds if self.web is not None else 60.0,
            health=self._health(),
        )

    def _waiting_row(self, call: LiveCall) -> dict[str, Any]:
        assert call.queued_at is not None  # calls.waiting() lists queued calls only
        try:
            position: int | None = self.acd.position(call.uniqueid)
        except AcdError:  # the event came before the core took the call, or after it let go
            position = None
        return {
            "position": position,
            "number": call.number,
            # the category of the menu's agent node: its label in the site's lists (未分类: none)
            "category": self.settings.categories.agent_label(call.category or UNCATEGORISED),
            "vip": call.vip,
            "since": call.queued_at.isoformat(),
            "state": call.state,
            "agent_id": call.agent_id,
        }

    def agent_row(self, agent_id: str) -> dict[str, Any] | None:
        """One configured agent's row of the board (None for an unknown 工号)."""
        agent = next((a for a in self.settings.agents if a.id == agent_id), None)
        if agent is None:
            return None
        return self._agent_row(agent.id, agent.name, self.today.agents_today().get(agent.id, {}))

    def _agent_row(self, agent_id: str, name: str, today: dict[str, Any]) -> dict[str, Any]:
        view = self.acd.agent(agent_id)
        return {
            "id": agent_id,
            "name": name,
            "state": view.state,
            "state_label": STATE_LABELS.get(view.state, view.state),
            "reason": REASON_LABELS.get(view.reason, view.reason) if view.reason else None,
            "registered": view.registered,
            "since": self._since.get(agent_id, self._started).isoformat(),
            "caller": self.calls.number_of(view.call_id),
            "answered": today.get("answered", 0),
            "talk_s": today.get("talk_s", 0.0),
        }
