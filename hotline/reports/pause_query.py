"""The SQL side of the per-agent logged-in and pause time (the fold is pause.py).

Only the state changes that start or end a pause or a logged-out spell leave the database: those
whose `to` or `from` is not one of ready, ringing, talking, wrap_up, i.e. paused(...), logged_out
(pauses, resumes, logins, logouts) or anything malformed (the fold then raises). The ACD's
other changes (ready -> ringing -> talking -> wrap_up -> ready, about four per answered call) never
change whether an agent is paused or logged in, and the ACD chains its changes (each one's `from`
is the previous one's `to`; a restart restores paused and logged-out agents as they were), so
the fold over the selected changes gives the same intervals as over all of them.

Statements on one connection, the same on SQLite and PostgreSQL (JSON read with SQLAlchemy's
portable JSON operators: json_extract / ->>):
1. the selected changes in [period start, until), in order (index (kind, at); the JSON test
   costs one to two microseconds per agent_state row of the period on SQLite);
2. per agent (the configured ones and those found in 1), the last change before the period start
   logged under "agent-<工号>" (index on call_uniqueid). The ACD runtime logs every change made
   without a call there: logins, logouts and pauses from ready or paused, resumes. So an agent
   with none has never logged in; one last paused or logged out stayed so until the start;
3. only for an agent last seen logged in: its last selected change between that one and the
   start (a no-answer pause, or a pause or logout from wrap-up, is logged under the call), by a
   backward scan of (kind, at) that stops at the agent's first match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.reports.pause import LOGGED_OUT, PAUSED, AgentTime, StateChange, agent_times, parse_label
from hotline.reports.period import Period
from hotline.store.models import CallEvent
from hotline.store.utc_datetime import require_aware

KIND = "agent_state"
LOGGED_IN_STATES = ("ready", "ringing", "talking", "wrap_up")  # changes among these are not read
UNION_CHUNK = 100  # agents per UNION ALL statement (SQLite allows 500 compound terms)
AGENT_KEY = "agent-{}"  # call_uniqueid of the changes made without a call (hotline/services/acd_driver.py)

_e = CallEvent.__table__.c
_agent: Any = _e.data["agent_id"].as_string()
_to: Any = _e.data["to"].as_string()
_from: Any = _e.data["from"].as_string()


def _not_plain(label: Any) -> sa.ColumnElement[bool]:
    return sa.func.coalesce(label, "").not_in(LOGGED_IN_STATES)  # one JSON read per label


_SELECTED = (_e.kind == KIND, sa.or_(_not_plain(_to), _not_plain(_from)))
_COLUMNS = (_e.id, _e.at, _agent.label("agent_id"), _to.label("to"))
_LATEST = (_e.at.desc(), _e.id.desc())


def _change(row: Any) -> StateChange:
    event_id, at, agent_id, to = row
    if agent_id is None:
        raise ValueError(f"call_events row {event_id}: agent_state event without data.agent_id")
    return StateChange(int(event_id), at, str(agent_id), to)


async def _each_agent(
    conn: AsyncConnection, agent_ids: Sequence[str], member: Callable[[str], sa.Select[Any]]
) -> list[StateChange]:
    """One row at most per agent: UNION ALL of member(agent_id), a SELECT ... LIMIT 1."""
    out: list[StateChange] = []
    for i in range(0, len(agent_ids), UNION_CHUNK):
        subqueries = [member(agent_id).subquery() for agent_id in agent_ids[i : i + UNION_CHUNK]]
        out += [_change(row) for row in await conn.execute(sa.union_all(*(sa.select(q) for q in subqueries)))]
    return out


async def _before(conn: AsyncConnection, start: datetime, agent_ids: Sequence[str]) -> list[StateChange]:
    """Enough of each agent's changes before `start` for the fold to know its state at `start`."""
    keyed = await _each_agent(
        conn,
        agent_ids,
        lambda agent_id: (
            sa.select(*_COLUMNS)
            .where(_e.call_uniqueid == AGENT_KEY.format(agent_id), _e.kind == KIND, _e.at < start)
            .order_by(*_LATEST)
            .limit(1)
        ),
    )
    logged_in = {c.agent_id: c for c in keyed if parse_label(c.to, c.event_id)[0] not in (PAUSED, LOGGED_OUT)}
    later = await _each_agent(
        conn,
        sorted(logged_in),
        lambda agent_id: (
            sa.select(*_COLUMNS)
            .where(*_SELECTED, _agent == agent_id, _e.at >= logged_in[agent_id].at, _e.at < start)
            .order_by(*_LATEST)
            .limit(1)
        ),
    )
    return list({c.event_id: c for c in keyed + later}.values())


async def agent_state_changes(
    conn: AsyncConnection, period: Period, until: datetime, agent_ids: Sequence[str]
) -> list[StateChange]:
    """The selected changes in [period.start, until) and, for `agent_ids` and every agent among
    those changes, the ones before period.start that give its state at period.start."""
    stmt = sa.select(*_COLUMNS).where(*_SELECTED, _e.at >= period.start, _e.at < until).order_by(_e.at, _e.id)
    inside = [_change(row) for row in await conn.execute(stmt)]
    wanted = sorted(set(agent_ids) | {c.agent_id for c in inside})
    return await _before(conn, period.start, wanted) + inside


def time_until(period: Period, now: datetime | None) -> datetime:
    """Where open states stop counting: the period end, or `now` if it is earlier (the period is
    not over). `now` None: the period is taken as over."""
    if now is None:
        return period.end
    return max(period.start, min(period.end, require_aware(now, "now")))


async def agent_time(
    conn: AsyncConnection, period: Period, now: datetime | None, agent_ids: Sequence[str]
) -> dict[str, AgentTime]:
    """Logged-in and pause time per agent over `period` (as of `now`); see pause.py."""
    until = time_until(period, now)
    if until == period.start:  # the period has not begun: nothing to count, nothing to read
        return {}
    return agent_times(await agent_state_changes(conn, period, until, agent_ids), period.start, until)
