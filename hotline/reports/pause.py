"""Per-agent logged-in and pause time from the ACD's state changes (pure: no SQL, no clock).

The ACD logs every change of an agent's state as a `call_events` row of kind `agent_state` with
data {"from": <label>, "to": <label>, "agent_id": <工号>}; a label is one of ready, ringing,
talking, wrap_up, logged_out, or paused(<reason>) — "no answer" (an offer rang 4 times unanswered),
or an agent's own *46N reason: break, meeting, training, other. The row's call_uniqueid is the
call the agent was busy with, or "agent-<工号>" (a change made without a call): the fold goes by
data.agent_id; pause_query.py picks the rows.

Definitions (README, "Statistics definitions"):
- a state holds from its event until the agent's next agent_state event; each interval is
  clipped to [period start, until), until = the period end, or `now` while the period is not over;
- the state at the period start is the one of the agent's last event before it; an agent with no
  event before it counts as logged out until its first event;
- paused = time in paused(<reason>), in total and per reason; logged-in = time in any state but
  logged_out (paused included).
Durations are added as timedeltas (exact to the microsecond) and given in seconds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from acd.rules import AGENT_STATES
from hotline.reports.labels import PAUSE_REASON

LOGGED_OUT = "logged_out"
PAUSED = "paused"
_PAUSED_LABEL = re.compile(r"paused\((.*)\)", re.DOTALL)


@dataclass(frozen=True)
class StateChange:
    """One agent_state event, as the fold needs it."""

    event_id: int  # call_events.id: orders events of the same instant
    at: datetime  # aware
    agent_id: str
    to: str  # the label the agent changed to


@dataclass(frozen=True)
class AgentTime:
    logged_in_s: float = 0.0  # any state but logged_out, paused included
    paused_s: float = 0.0  # = the sum of paused_by_reason
    paused_by_reason: Mapping[str, float] = field(default_factory=dict)  # reason -> seconds, only > 0


def parse_label(label: object, event_id: int) -> tuple[str, str | None]:
    """'paused(break)' -> ('paused', 'break'); 'ready' -> ('ready', None); anything else the ACD
    does not log is a ValueError naming the event."""
    if isinstance(label, str):
        m = _PAUSED_LABEL.fullmatch(label)
        if m:
            return PAUSED, m[1]
        if label in AGENT_STATES and label != PAUSED:
            return label, None
    raise ValueError(
        f"call_events row {event_id}: agent_state 'to' is {label!r}, not a state the ACD logs "
        f"({', '.join(s for s in AGENT_STATES if s != PAUSED)} or paused(<reason>))"
    )


def reason_order(reasons: Iterable[str]) -> list[str]:
    """The known reasons in their usual order ("no answer", break, meeting, ...), then any other."""
    known = list(PAUSE_REASON)
    return sorted(set(reasons), key=lambda r: (known.index(r), "") if r in known else (len(known), r))


def _one_agent(changes: list[StateChange], start: datetime, until: datetime) -> AgentTime:
    changes.sort(key=lambda c: (c.at, c.event_id))
    logged_in = timedelta()
    paused: dict[str, timedelta] = defaultdict(timedelta)
    for i, change in enumerate(changes):
        state, reason = parse_label(change.to, change.event_id)
        ends = changes[i + 1].at if i + 1 < len(changes) else until
        span = min(ends, until) - max(change.at, start)
        if state == LOGGED_OUT or span <= timedelta():
            continue
        logged_in += span
        if reason is not None:
            paused[reason] += span
    by_reason = {r: paused[r].total_seconds() for r in reason_order(paused)}
    return AgentTime(logged_in.total_seconds(), sum(paused.values(), timedelta()).total_seconds(), by_reason)


def agent_times(changes: Iterable[StateChange], start: datetime, until: datetime) -> dict[str, AgentTime]:
    """Logged-in and pause time per agent within [start, until), from the agents' state changes:
    those inside it and at least each agent's last one before `start` (earlier ones change nothing)."""
    if until < start:
        raise ValueError(f"until {until.isoformat()} is before start {start.isoformat()}")
    by_agent: dict[str, list[StateChange]] = defaultdict(list)
    for change in changes:
        by_agent[change.agent_id].append(change)
    return {agent_id: _one_agent(rows, start, until) for agent_id, rows in sorted(by_agent.items())}
