"""Portable SQL time arithmetic for the report queries (SQLite and PostgreSQL).

SQLite stores `UTCDateTime` columns as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'; PostgreSQL as
timestamptz. Constants are rendered inline (they are ints/floats made here, never user text) so
that a GROUP BY expression is textually the same as its SELECT expression on PostgreSQL.

Differences of two timestamps are floating seconds; SQLite's julianday() carries them to about
50 microseconds, so comparisons with a threshold use a tolerance of half a millisecond
(`EPSILON_S`): a wait of exactly 12.000 s is within a 12 s target on both databases.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

EPSILON_S = 0.0005


def number(value: int | float) -> ColumnElement[Any]:
    """An inline numeric literal (no bind parameter)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return sa.literal_column(repr(int(value)) if isinstance(value, int) else repr(float(value)))


def _pg_epoch(value: Any) -> ColumnElement[float]:
    # date_part() is double precision; EXTRACT() is numeric since PostgreSQL 14 (much slower)
    return sa.func.date_part(sa.literal_column("'epoch'"), value, type_=sa.Float)


def epoch_slot(column: Any, dialect: str, slot_s: int) -> ColumnElement[int]:
    """Whole `slot_s`-second slots since 1970-01-01 UTC of a timestamp column (PostgreSQL's form;
    SQLite's is usable too but slow to GROUP BY, see slot_query.py)."""
    if dialect == "sqlite":
        epoch = sa.cast(sa.func.strftime(sa.literal_column("'%s'"), column), sa.Integer)
        return epoch // number(slot_s)
    if dialect == "postgresql":
        return sa.cast(sa.func.floor(_pg_epoch(column) / number(float(slot_s))), sa.BigInteger)
    raise ValueError(f"reports support SQLite and PostgreSQL, not {dialect!r}")


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """`later - earlier` in seconds (NULL if either is NULL)."""
    if dialect == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * number(86400.0)
    if dialect == "postgresql":
        return _pg_epoch(later - earlier)
    raise ValueError(f"reports support SQLite and PostgreSQL, not {dialect!r}")


def at_most(seconds: ColumnElement[float], limit_s: float) -> ColumnElement[bool]:
    """seconds <= limit, to the millisecond."""
    return seconds <= number(float(limit_s) + EPSILON_S)


def less_than(seconds: ColumnElement[float], limit_s: float) -> ColumnElement[bool]:
    """seconds < limit, to the millisecond."""
    return seconds < number(float(limit_s) - EPSILON_S)


def sqlite_slot_bounds(slot: Any, slot_s: int) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """SQLite text bounds [start, end) of slot number `slot`: 'YYYY-MM-DD HH:MM:SS' sorts before
    every stored 'YYYY-MM-DD HH:MM:SS.ffffff' of the same second, so text comparison is exact."""
    unixepoch = sa.literal_column("'unixepoch'")
    start = slot * number(slot_s)
    return sa.func.datetime(start, unixepoch), sa.func.datetime(start + number(slot_s), unixepoch)
