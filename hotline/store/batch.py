"""Write one batch of recorder items in one transaction.

Items are applied in queue order. Starts are inserted (a start and its end in the same batch
become one INSERT), events appended, ends are UPDATEs of a row whose outcome is still NULL.
Items the database state makes meaningless (a second start, an end of an ended or unknown
call) are skipped and reported as `Rejected`, never allowed to fail the whole batch.

A batch is written one of two ways:
  optimistic - no reads: INSERT ... ON CONFLICT (uniqueid) DO NOTHING and UPDATE ... WHERE
               outcome IS NULL, then the rows changed are compared with the rows sent. Any
               shortfall means the database disagreed with the batch (a call row already there,
               an end of an unknown or ended call): `Conflict` is raised, the caller rolls the
               transaction back and writes the batch again, carefully. Needs the driver to count
               rows per executemany (`dialect.supports_sane_multi_rowcount`: SQLite, not asyncpg).
  careful    - reads first which calls exist and which are still open, so each skipped item is
               reported with its reason.
Both give the same rows and the same `Rejected` list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.models import Call, CallEvent, table_of
from hotline.store.statements import KEY_PARAM, insert_rows, update_where_null

_IN_CHUNK = 500  # keeps IN (...) lists far below SQLite's and asyncpg's parameter limits
_CALLS = table_of(Call)
_EVENTS = table_of(CallEvent)
Row = dict[str, Any]


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


class Conflict(Exception):
    """An optimistic write met rows it did not expect; roll back and write the batch carefully."""


async def _existing_uniqueids(conn: AsyncConnection, uniqueids: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(uniqueids), _IN_CHUNK):
        chunk = uniqueids[i : i + _IN_CHUNK]
        found.update((await conn.scalars(select(Call.uniqueid).where(Call.uniqueid.in_(chunk)))).all())
    return found


async def _open_calls(conn: AsyncConnection, uniqueids: list[str]) -> set[str]:
    """Which of these calls exist and have no outcome yet."""
    found: set[str] = set()
    for i in range(0, len(uniqueids), _IN_CHUNK):
        chunk = uniqueids[i : i + _IN_CHUNK]
        stmt = select(Call.uniqueid).where(Call.uniqueid.in_(chunk), Call.outcome.is_(None))
        found.update((await conn.scalars(stmt)).all())
    return found


async def _why_not_updated(conn: AsyncConnection, uniqueid: str) -> str:
    outcome = (await conn.execute(select(Call.outcome).where(Call.uniqueid == uniqueid))).first()
    if outcome is None:
        return "no call with this uniqueid was ever started"
    return f"the call already ended with outcome {outcome[0]!r}; the first end is kept"


def _by_key_set(rows: Iterable[Row]) -> list[list[Row]]:
    """Group rows with the same columns: one executemany needs identical keys."""
    groups: dict[frozenset[str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[frozenset(row)].append(row)
    return list(groups.values())


def _plan(items: list[Item], existing: set[str]) -> tuple[list[Row], list[Row], list[End], list[Rejected]]:
    """Rows to insert, events, ends to apply as UPDATEs, and items skipped, given the call rows
    already stored (`existing`)."""
    rejected: list[Rejected] = []
    inserts: dict[str, Row] = {}
    updates: list[End] = []
    events: list[Row] = []
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
    return list(inserts.values()), events, updates, rejected


def _check_count(optimistic: bool, changed: int, rows: list[Row], what: str) -> None:
    if optimistic and changed != len(rows):
        raise Conflict(f"{what}: {changed} of {len(rows)} rows changed")


async def write_batch(
    conn: AsyncConnection, items: list[Item], *, optimistic: bool = False
) -> list[Rejected]:
    """Apply `items` inside the caller's transaction; returns what was skipped and why.
    With `optimistic`, raises `Conflict` (transaction to roll back) instead of reading first."""
    if optimistic and not conn.dialect.supports_sane_multi_rowcount:
        raise ValueError(
            f"{conn.dialect.name}: the driver does not count rows per executemany; write carefully"
        )
    starts = [] if optimistic else [i.values["uniqueid"] for i in items if isinstance(i, Start)]
    existing = await _existing_uniqueids(conn, starts) if starts else set()
    inserts, events, ends, rejected = _plan(items, existing)
    skip_existing = "uniqueid" if optimistic else None
    for rows in _by_key_set(inserts):
        stmt = insert_rows(conn.dialect, _CALLS, tuple(rows[0]), skip_existing=skip_existing)
        _check_count(optimistic, await stmt.run(conn, rows), rows, "call rows inserted")
    for rows in _by_key_set(events):
        await insert_rows(conn.dialect, _EVENTS, tuple(rows[0])).run(conn, rows)
    rejected += await _apply_ends(conn, ends, optimistic)
    return rejected


async def _apply_ends(conn: AsyncConnection, ends: list[End], optimistic: bool) -> list[Rejected]:
    """Ends of open calls become one executemany UPDATE per set of columns (one writer task
    owns the store, so the open set read first stays true inside the transaction)."""
    rejected: list[Rejected] = []
    open_calls = None if optimistic or not ends else await _open_calls(conn, [e.uniqueid for e in ends])
    groups: dict[frozenset[str], list[Row]] = defaultdict(list)
    ended_here: set[str] = set()
    for end in ends:
        if end.uniqueid in ended_here:
            rejected.append(
                Rejected(
                    "store.call_end_ignored",
                    end.uniqueid,
                    "a second end in the same batch; the first end is kept",
                )
            )
            continue
        if open_calls is not None and end.uniqueid not in open_calls:
            reason = await _why_not_updated(conn, end.uniqueid)
            rejected.append(Rejected("store.call_end_ignored", end.uniqueid, reason))
            continue
        ended_here.add(end.uniqueid)
        groups[frozenset(end.values)].append({KEY_PARAM: end.uniqueid, **end.values})
    for rows in groups.values():
        names = tuple(n for n in rows[0] if n != KEY_PARAM)
        stmt = update_where_null(conn.dialect, _CALLS, "uniqueid", "outcome", names)
        _check_count(optimistic, await stmt.run(conn, rows), rows, "call ends applied")
    return rejected
