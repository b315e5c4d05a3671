"""Write one batch of recorder items in one transaction.

Items are applied in queue order. Starts are inserted (a start and its end in the same batch
become one INSERT), events appended, ends are UPDATEs of a row whose outcome is still NULL.
Items the database state makes meaningless (a second start, an end of an ended or unknown
call) are skipped and reported as `Rejected`, never allowed to fail the whole batch.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.models import Call, CallEvent

_IN_CHUNK = 500  # keeps IN (...) lists far below SQLite's and asyncpg's parameter limits


@dataclass(frozen=True, slots=True)
class Start:
    values: dict[str, Any]  # a full `calls` row (uniqueid included), maybe already ended


@dataclass(frozen=True, slots=True)
class Event:
    values: dict[str, Any]  # a full `call_events` row


@dataclass(frozen=True, slots=True)
class End:
    uniqueid: str
    values: dict[str, Any]  # outcome, ended_at and any other columns to set


Item = Start | Event | End


@dataclass(frozen=True, slots=True)
class Rejected:
    event: str  # structlog event name
    uniqueid: str
    reason: str


async def _existing_uniqueids(conn: AsyncConnection, uniqueids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(uniqueids), _IN_CHUNK):
        chunk = uniqueids[i : i + _IN_CHUNK]
        found.update((await conn.scalars(select(Call.uniqueid).where(Call.uniqueid.in_(chunk)))).all())
    return found


async def _why_not_updated(conn: AsyncConnection, uniqueid: str) -> str:
    outcome = (await conn.execute(select(Call.outcome).where(Call.uniqueid == uniqueid))).first()
    if outcome is None:
        return "no call with this uniqueid was ever started"
    return f"the call already ended with outcome {outcome[0]!r}; the first end is kept"


def _by_key_set(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Group rows with the same columns: one executemany INSERT needs identical keys."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    return list(groups.values())


async def write_batch(conn: AsyncConnection, items: list[Item]) -> list[Rejected]:
    """Apply `items` inside the caller's transaction; returns what was skipped and why."""
    rejected: list[Rejected] = []
    existing = await _existing_uniqueids(conn, [i.values["uniqueid"] for i in items if isinstance(i, Start)])
    inserts: dict[str, dict[str, Any]] = {}
    updates: list[End] = []
    events: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Start):
            uid = item.values["uniqueid"]
            if uid in existing or uid in inserts:
                rejected.append(Rejected("store.duplicate_call_start", uid, "the call row already exists"))
            else:
                inserts[uid] = dict(item.values)
        elif isinstance(item, Event):
            events.append(item.values)
        elif (pending := inserts.get(item.uniqueid)) is not None:
            if pending.get("outcome") is not None:
                reason = f"the call already ended with outcome {pending['outcome']!r}; the first end is kept"
                rejected.append(Rejected("store.call_already_ended", item.uniqueid, reason))
            else:
                pending.update(item.values)
        else:
            updates.append(item)

    for rows in _by_key_set(list(inserts.values())):
        await conn.execute(insert(Call), rows)
    if events:
        await conn.execute(insert(CallEvent), events)
    rejected += await _apply_ends(conn, updates)
    return rejected


async def _open_calls(conn: AsyncConnection, uniqueids: list[str]) -> set[str]:
    """Which of these calls exist and have no outcome yet."""
    found: set[str] = set()
    for i in range(0, len(uniqueids), _IN_CHUNK):
        chunk = uniqueids[i : i + _IN_CHUNK]
        stmt = select(Call.uniqueid).where(Call.uniqueid.in_(chunk), Call.outcome.is_(None))
        found.update((await conn.scalars(stmt)).all())
    return found


async def _apply_ends(conn: AsyncConnection, ends: list[End]) -> list[Rejected]:
    """Ends of open calls become one executemany UPDATE per set of columns (one writer task
    owns the store, so the open set read first stays true inside the transaction)."""
    rejected: list[Rejected] = []
    open_calls = await _open_calls(conn, [e.uniqueid for e in ends]) if ends else set()
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    ended_here: set[str] = set()
    for end in ends:
        if end.uniqueid in ended_here:
            rejected.append(Rejected("store.call_end_ignored", end.uniqueid,
                                     "a second end in the same batch; the first end is kept"))
            continue
        if end.uniqueid not in open_calls:
            reason = await _why_not_updated(conn, end.uniqueid)
            rejected.append(Rejected("store.call_end_ignored", end.uniqueid, reason))
            continue
        ended_here.add(end.uniqueid)
        groups[frozenset(end.values)].append({"_uid": end.uniqueid, **end.values})
    for cols, rows in groups.items():
        stmt = (update(Call).where(Call.uniqueid == bindparam("_uid"), Call.outcome.is_(None))
                .values({c: bindparam(c) for c in cols}))
        await conn.execute(stmt, rows)
    return rejected
