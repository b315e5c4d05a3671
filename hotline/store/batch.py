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
Both give the same rows and the same `Rejected` list. The optimistic write is planned without
the database (`optimistic_steps`), so on SQLite it can also run in one hand-off to the driver's
thread (hotline.store.sqlite_steps).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.models import Call, CallEvent, table_of
from hotline.store.statements import KEY_PARAM, Prepared, insert_rows, update_where_null

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


@dataclass(frozen=True, slots=True)
class Step:
    """One executemany of an optimistic write; `counted` names what a shortfall in the rows it
    changed means (a `Conflict`), None where any count is fine."""

    statement: Prepared
    rows: list[Row]
    counted: str | None

    def shortfall(self, changed: int) -> str | None:
        """The `Conflict` message when `changed` rows fall short of the rows sent (else None)."""
        if self.counted is None or changed == len(self.rows):
            return None
        return f"{self.counted}: {changed} of {len(self.rows)} rows changed"


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


def _end_updates(
    dialect: Dialect, ends: list[End], rejected: list[Rejected]
) -> list[tuple[Prepared, list[Row]]]:
    """Ends as one executemany UPDATE per set of columns; a second end of a call in the batch is
    added to `rejected` (the first end is kept)."""
    groups: dict[frozenset[str], list[Row]] = defaultdict(list)
    ended_here: set[str] = set()
    for end in ends:
        if end.uniqueid in ended_here:
            reason = "a second end in the same batch; the first end is kept"
            rejected.append(Rejected("store.call_end_ignored", end.uniqueid, reason))
            continue
        ended_here.add(end.uniqueid)
        groups[frozenset(end.values)].append({KEY_PARAM: end.uniqueid, **end.values})
    updates = []
    for rows in groups.values():
        names = tuple(n for n in rows[0] if n != KEY_PARAM)
        updates.append((update_where_null(dialect, _CALLS, "uniqueid", "outcome", names), rows))
    return updates


def optimistic_steps(dialect: Dialect, items: list[Item]) -> tuple[list[Step], list[Rejected]]:
    """The optimistic write of `items` (no reads): its statements in order, and what the batch
    itself makes meaningless (a second start or end of a call)."""
    inserts, events, ends, rejected = _plan(items, set())
    steps = [
        Step(
            insert_rows(dialect, _CALLS, tuple(rows[0]), skip_existing="uniqueid"), rows, "call rows inserted"
        )
        for rows in _by_key_set(inserts)
    ]
    steps += [Step(insert_rows(dialect, _EVENTS, tuple(rows[0])), rows, None) for rows in _by_key_set(events)]
    steps += [Step(stmt, rows, "call ends applied") for stmt, rows in _end_updates(dialect, ends, rejected)]
    return steps, rejected


async def write_batch(
    conn: AsyncConnection, items: list[Item], *, optimistic: bool = False
) -> list[Rejected]:
    """Apply `items` inside the caller's transaction; returns what was skipped and why.
    With `optimistic`, raises `Conflict` (transaction to roll back) instead of reading first."""
    if not optimistic:
        return await _write_carefully(conn, items)
    if not conn.dialect.supports_sane_multi_rowcount:
        raise ValueError(
            f"{conn.dialect.name}: the driver does not count rows per executemany; write carefully"
        )
    steps, rejected = optimistic_steps(conn.dialect, items)
    for step in steps:
        if (shortfall := step.shortfall(await step.statement.run(conn, step.rows))) is not None:
            raise Conflict(shortfall)
    return rejected


async def _write_carefully(conn: AsyncConnection, items: list[Item]) -> list[Rejected]:
    starts = [i.values["uniqueid"] for i in items if isinstance(i, Start)]
    existing = await _existing_uniqueids(conn, starts) if starts else set()
    inserts, events, ends, rejected = _plan(items, existing)
    for rows in _by_key_set(inserts):
        await insert_rows(conn.dialect, _CALLS, tuple(rows[0])).run(conn, rows)
    for rows in _by_key_set(events):
        await insert_rows(conn.dialect, _EVENTS, tuple(rows[0])).run(conn, rows)
    # ends of open calls only (one writer task owns the store, so the open set read first stays
    # true inside the transaction); the others are reported with the reason read for each
    open_calls = await _open_calls(conn, [e.uniqueid for e in ends]) if ends else set()
    for end in ends:
        if end.uniqueid not in open_calls:
            rejected.append(
                Rejected("store.call_end_ignored", end.uniqueid, await _why_not_updated(conn, end.uniqueid))
            )
    for stmt, rows in _end_updates(conn.dialect, [e for e in ends if e.uniqueid in open_calls], rejected):
        await stmt.run(conn, rows)
    return rejected
