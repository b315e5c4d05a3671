"""Agents (工号, extension, skills, state) and the idle order: longest-idle ready agent first.

Idle agents sit in one heap per skill plus one for agents with no skills (= every category),
keyed by (idle since, push order). Deletion is lazy: an entry counts only while its agent is
still offerable and was not pushed again since (`epoch`); heaps are compacted when stale entries
pile up, so every operation is O(log n) amortised.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count
from typing import Any

from .rules import AGENT_STATES, AcdError

ALL = ""  # heap of agents that take every category (empty skill set)
TRANSIENT = {"ringing", "talking", "wrap_up"}  # tied to calls, which do not survive a restart
IdleEntry = tuple[datetime, int, int, str]  # (idle since, push order, epoch, agent id)


@dataclass(frozen=True, slots=True)
class AgentSpec:
    """Configured agent: 工号, PJSIP extension, business categories (empty = all)."""

    agent_id: str
    extension: str
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AgentView:
    agent_id: str
    extension: str
    state: str
    reason: str | None
    registered: bool
    call_id: str | None
    idle_since: datetime | None


@dataclass(slots=True)
class Agent:
    spec: AgentSpec
    state: str = "logged_out"
    reason: str | None = None  # pause reason
    registered: bool = False  # until the AMI adapter says otherwise
    call_id: str | None = None  # ringing / talking / wrap-up for this call
    idle_since: datetime | None = None
    backoff_key: str | None = None  # held back after a busy reply until this timer fires
    wrap_key: str | None = None  # wrap-up timer
    epoch: int = 0

    @property
    def agent_id(self) -> str:
        return self.spec.agent_id

    @property
    def offerable(self) -> bool:
        return self.state == "ready" and self.registered and self.backoff_key is None

    @property
    def label(self) -> str:
        return f"paused({self.reason})" if self.state == "paused" else self.state

    def serves(self, category: str) -> bool:
        return not self.spec.skills or category in self.spec.skills

    def view(self) -> AgentView:
        return AgentView(
            self.agent_id,
            self.spec.extension,
            self.state,
            self.reason,
            self.registered,
            self.call_id,
            self.idle_since,
        )


@dataclass
class AgentPool:
    agents: dict[str, Agent]
    _idle: dict[str, list[IdleEntry]] = field(default_factory=dict)
    _order: count[int] = field(default_factory=count)

    @classmethod
    def of(cls, specs: list[AgentSpec]) -> AgentPool:
        agents: dict[str, Agent] = {}
        for spec in specs:
            if spec.agent_id in agents:
                raise AcdError(f"agent {spec.agent_id} is configured twice")
            if ALL in spec.skills:
                raise AcdError(f"agent {spec.agent_id}: empty skill name")
            agents[spec.agent_id] = Agent(spec)
        return cls(agents)

    def get(self, agent_id: str, event: object) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise AcdError(f"agent {agent_id} is not configured: {event!r} is not allowed")
        return agent

    # --- idle order --------------------------------------------------------------------------

    def push_idle(self, agent: Agent) -> None:
        """Agent became offerable and no waiting call fits: wait for one."""
        agent.epoch += 1
        assert agent.idle_since is not None
        entry = (agent.idle_since, next(self._order), agent.epoch, agent.agent_id)
        for skill in agent.spec.skills or (ALL,):
            heap = self._idle.setdefault(skill, [])
            heapq.heappush(heap, entry)
            if len(heap) > 2 * len(self.agents) + 32:
                self._idle[skill] = self._compact(heap)

    def longest_idle(self, category: str, besides: str | None = None) -> Agent | None:
        """The offerable agent idle longest among those who serve `category`, other than
        `besides` (the agent whose own phone placed the call)."""
        best: IdleEntry | None = None
        for key in (category, ALL):
            top = self._top(key)
            if top is not None and top[3] == besides:
                top = min((e for e in self._idle[key] if self._valid(e) and e[3] != besides), default=None)
            if top is not None and (best is None or top < best):
                best = top
        return None if best is None else self.agents[best[3]]

    def _valid(self, entry: IdleEntry) -> bool:
        agent = self.agents[entry[3]]
        return agent.offerable and agent.epoch == entry[2]

    def _top(self, key: str) -> IdleEntry | None:
        heap = self._idle.get(key)
        while heap and not self._valid(heap[0]):
            heapq.heappop(heap)
        return heap[0] if heap else None

    def _compact(self, heap: list[IdleEntry]) -> list[IdleEntry]:
        live = [e for e in heap if self._valid(e)]
        heapq.heapify(live)
        return live

    # --- queries -----------------------------------------------------------------------------

    def by_state(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {s: [] for s in AGENT_STATES}
        for agent_id in sorted(self.agents):
            out[self.agents[agent_id].state].append(agent_id)
        return out

    # --- persistence -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": 1,
            "agents": {
                a.agent_id: {
                    "state": a.state,
                    "reason": a.reason,
                    "idle_since": a.idle_since.isoformat() if a.idle_since else None,
                }
                for a in self.agents.values()
            },
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Logged-in and paused agents (with reasons) come back; ringing / talking / wrap-up come
        back ready (their calls did not survive). Unknown agent ids are skipped."""
        if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("agents"), dict):
            raise AcdError(
                f"agent snapshot must be {{'version': 1, 'agents': {{...}}}}, got {str(data)[:80]!r}"
            )
        parsed: dict[str, tuple[str, str | None, datetime | None]] = {}
        for agent_id, rec in data["agents"].items():
            if agent_id not in self.agents:
                continue
            try:
                state, reason, since = rec["state"], rec.get("reason"), rec.get("idle_since")
                since_dt = datetime.fromisoformat(since) if since else None
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                raise AcdError(f"agent snapshot for {agent_id} is malformed: {rec!r} ({e})") from e
            if state not in AGENT_STATES:
                raise AcdError(f"agent snapshot for {agent_id}: unknown state {state!r}")
            if since_dt is not None and since_dt.tzinfo is None:
                raise AcdError(f"agent snapshot for {agent_id}: idle_since {since!r} has no zone")
            if state in TRANSIENT:
                state, reason = "ready", None
            if state == "ready" and since_dt is None:
                raise AcdError(f"agent snapshot for {agent_id}: ready without idle_since")
            if state == "paused" and not isinstance(reason, str):
                raise AcdError(f"agent snapshot for {agent_id}: paused without a reason")
            parsed[agent_id] = (state, reason if state == "paused" else None, since_dt)
        for agent_id, (state, reason, since_dt) in parsed.items():
            agent = self.agents[agent_id]
            agent.state, agent.reason, agent.idle_since = state, reason, since_dt
            agent.call_id = agent.backoff_key = agent.wrap_key = None
            if agent.offerable:
                self.push_idle(agent)
