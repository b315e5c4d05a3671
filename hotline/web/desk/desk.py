"""The agent desk's live side: each agent's state and the call on their desk, pushed to their
browser (one Broadcast per agent), with the screen pop looked up once per call as it joins the
queue, so it is on screen before the agent's phone rings.

Fed like the wallboard: `on_event` is a bus listener. What the ACD says about an agent (state,
its call) is read from the ACD itself at render time, so the desk and the softphone's feature
codes never disagree.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.web.desk.customer import Customer, customer_of
from hotline.web.desk.pop import Labels, call_view, customer_view
from hotline.web.desk.tracker import DeskCall, DeskCalls
from hotline.web.live.board import LiveBoard
from hotline.web.live.push import Broadcast

log = structlog.get_logger("web.desk")
LOOKUP_TIMEOUT_S = 5.0


class Desk:
    def __init__(
        self,
        board: LiveBoard,
        engine: AsyncEngine,
        labels: Callable[[], Labels],
        *,
        min_push_interval_s: float = 0.1,
    ) -> None:
        self.board = board
        self.settings = board.settings
        self.clock = board.clock
        self._engine = engine
        self._labels = labels
        self._min_push_interval_s = min_push_interval_s
        self.calls = DeskCalls()
        self._customers: dict[str, Customer | str] = {}  # uniqueid -> what is known, or why not
        self._disposed: dict[str, dict[str, str]] = {}  # uniqueid -> the saved disposition
        self._casts: dict[str, Broadcast] = {}
        self._lookups: set[asyncio.Task[None]] = set()

    # ---- facts in --------------------------------------------------------------------------
    def on_event(self, body: Mapping[str, Any]) -> None:
        agents = self.calls.apply(body)
        uid = body.get("uniqueid")
        if body.get("kind") in ("queued", "offered") and isinstance(uid, str):
            self._look_up(uid)
        if body.get("kind") == "call_ended":
            self._forget_gone()
        for agent in agents:
            self.changed(agent)

    def changed(self, agent_id: str) -> None:
        cast = self._casts.get(agent_id)
        if cast is not None:
            cast.changed()

    def disposed(self, uniqueid: str, category: str, note: str, label: str) -> None:
        """The disposition was saved: the desk says so (and shows what was saved)."""
        self._disposed[uniqueid] = {"category": category, "note": note, "label": label}
        call = self.calls.calls.get(uniqueid)
        if call is not None and call.agent_id is not None:
            self.changed(call.agent_id)

    def customer(self, uniqueid: str) -> Customer | None:
        """What the store knew about the call's caller (None: not looked up, or failed)."""
        found = self._customers.get(uniqueid)
        return found if isinstance(found, Customer) else None

    def _look_up(self, uid: str) -> None:
        call = self.calls.calls.get(uid)
        if call is None or uid in self._customers:
            return
        self._customers[uid] = "查询中"
        task = asyncio.create_task(self._fetch(call), name=f"desk-pop-{uid}")
        self._lookups.add(task)
        task.add_done_callback(self._lookups.discard)

    async def _fetch(self, call: DeskCall) -> None:
        try:
            async with asyncio.timeout(LOOKUP_TIMEOUT_S):
                found: Customer | str = await customer_of(
                    self._engine, call.caller, self.clock(), this_call=call.uniqueid
                )
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.warning("desk.lookup_failed", uniqueid=call.uniqueid, error=f"{type(exc).__name__}: {exc}")
            found = "客户资料暂时无法查询"
        if call.uniqueid in self.calls.calls:
            self._customers[call.uniqueid] = found
            if call.agent_id is not None:
                self.changed(call.agent_id)

    def _forget_gone(self) -> None:
        for uid in [u for u in self._customers if u not in self.calls.calls]:
            del self._customers[uid]
        for uid in [u for u in self._disposed if u not in self.calls.calls]:
            del self._disposed[uid]

    # ---- the state -------------------------------------------------------------------------
    def broadcast(self, agent_id: str) -> Broadcast:
        cast = self._casts.get(agent_id)
        if cast is None:
            cast = Broadcast(lambda: self.render(agent_id), min_interval_s=self._min_push_interval_s)
            self._casts[agent_id] = cast
        return cast

    def render(self, agent_id: str) -> bytes:
        return json.dumps(self.state(agent_id), ensure_ascii=False, separators=(",", ":")).encode()

    def state(self, agent_id: str) -> dict[str, Any]:
        now = self.clock()
        found = self.call_of(agent_id)
        view: dict[str, Any] | None = None
        if found is not None:
            call, phase = found
            labels = self._labels()
            view = call_view(call, phase, now, labels)
            customer = self._customers.get(call.uniqueid)
            if isinstance(customer, Customer):
                view["customer"] = customer_view(customer, labels, now)
            else:
                view["customer_note"] = customer or "无客户资料"
            view["disposition"] = self._disposed.get(call.uniqueid)
        return {"now": now.isoformat(), "agent": self.board.agent_row(agent_id), "call": view}

    def call_of(self, agent_id: str) -> tuple[DeskCall, str] | None:
        """The call on the agent's desk and its phase: ringing / talking / wrap_up as the ACD
        has it, or `ended` for their last answered call after wrap-up (still to be disposed)."""
        call = self.calls.of_agent(agent_id)
        if call is None or call.agent_id != agent_id:
            return None
        view = self.board.acd.agent(agent_id)
        if view.call_id == call.uniqueid and view.state in ("ringing", "talking", "wrap_up"):
            return call, view.state
        if call.answered_at is not None:
            return call, "ended"
        return None

    def close(self) -> None:
        for task in self._lookups:
            task.cancel()
        for cast in self._casts.values():
            cast.close()
