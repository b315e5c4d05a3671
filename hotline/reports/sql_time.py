"""Portable SQL time arithmetic for the report queries (SQLite and PostgreSQL).

SQLite stores `UTCDateTime` columns as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'; PostgreSQL as
timestamptz (microseconds). Constants are rendered inline (ints/floats made here, never user
text) so that a GROUP BY expression is textually the same as its SELECT expression.

Precision: comparisons of a wait with a threshold (`wait_at_most`, `wait_less_than`) are exact to
the microsecond on both databases: a wait of exactly 12.000000 s is within a 12 s target, one of
12.000001 s is not. On SQLite the cheap julianday() difference (rounded to the millisecond)
decides every wait farther than 2 ms from the threshold; only the few closer ones are computed
exactly from the text. Sums of waits (`seconds_between`, for the average speed of answer) use the
cheap form on SQLite: within a millisecond per call.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

EPSILON_S = 0.0000005  # half the storage resolution (1 µs)
_SQLITE_BAND_S = 0.002  # julianday() keeps milliseconds: a difference may be off by up to 1 ms


def number(value: int | float) -> ColumnElement[Any]:
    """An inline numeric literal (no bind parameter)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return sa.literal_column(repr(int(value)) if isinstance(value, int) else repr(float(value)))


def _check(dialect: str) -> None:
    if dialect not in ("sqlite", "postgresql"):
        raise ValueError(f"reports support SQLite and PostgreSQL, not {dialect!r}")


def _pg_epoch(value: Any) -> ColumnElement[float]:
    # date_part() is double precision; EXTRACT() is numeric since PostgreSQL 14 (much slower)
    return sa.func.date_part(sa.literal_column("'epoch'"), value, type_=sa.Float)


def epoch_slot(column: Any, dialect: str, slot_s: int) -> ColumnElement[int]:
    """Whole `slot_s`-second slots since 1970-01-01 UTC of a timestamp column."""
    _check(dialect)
    if dialect == "sqlite":
        epoch = sa.cast(sa.func.strftime(sa.literal_column("'%s'"), column), sa.Integer)
        return epoch // number(slot_s)
    return sa.cast(sa.func.floor(_pg_epoch(column) / number(float(slot_s))), sa.BigInteger)


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """`later - earlier` in seconds (NULL if either is NULL); on SQLite to the millisecond."""
    _check(dialect)
    if dialect == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * number(86400.0)
    return _pg_epoch(later - earlier)


def _sqlite_exact_seconds(later: Any, earlier: Any) -> ColumnElement[float]:
    """Whole seconds from the 'YYYY-MM-DD HH:MM:SS' part, plus the '.ffffff' parts' difference."""

    def whole(ts: Any) -> ColumnElement[int]:
        return sa.cast(sa.func.strftime(sa.literal_column("'%s'"), sa.func.substr(ts, 1, 19)), sa.Integer)

    def fraction(ts: Any) -> ColumnElement[float]:
        return sa.cast(sa.func.substr(ts, 20), sa.Float)

    # typed as the whole seconds' int by the type checker; SQLAlchemy already makes it a Float
    return sa.type_coerce((whole(later) - whole(earlier)) + (fraction(later) - fraction(earlier)), sa.Float)


def _compare(later: Any, earlier: Any, limit_s: float, dialect: str, strict: bool) -> ColumnElement[bool]:
    _check(dialect)
    limit = float(limit_s) - EPSILON_S if strict else float(limit_s) + EPSILON_S
    if dialect == "postgresql":
        wait = _pg_epoch(later - earlier)
        return wait < number(limit) if strict else wait <= number(limit)
    approx = seconds_between(later, earlier, dialect)
    exact = _sqlite_exact_seconds(later, earlier)
    return sa.case(
        (approx < number(float(limit_s) - _SQLITE_BAND_S), 1),
        (approx > number(float(limit_s) + _SQLITE_BAND_S), 0),
        ((exact < number(limit)) if strict else (exact <= number(limit)), 1),
        else_=0,
    ) == number(1)


def wait_at_most(later: Any, earlier: Any, limit_s: float, dialect: str) -> ColumnElement[bool]:
    """later - earlier <= limit_s, exact to the microsecond (false if either is NULL)."""
    return _compare(later, earlier, limit_s, dialect, strict=False)


def wait_less_than(later: Any, earlier: Any, limit_s: float, dialect: str) -> ColumnElement[bool]:
    """later - earlier < limit_s, exact to the microsecond (false if either is NULL)."""
    return _compare(later, earlier, limit_s, dialect, strict=True)


def sqlite_slot_bounds(slot: Any, slot_s: int) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """SQLite text bounds [start, end) of slot number `slot`: 'YYYY-MM-DD HH:MM:SS' sorts before
    every stored 'YYYY-MM-DD HH:MM:SS.ffffff' of the same second, so text comparison is exact."""
    unixepoch: ColumnElement[Any] = sa.literal_column("'unixepoch'")
    start = slot * number(slot_s)
    return sa.func.datetime(start, unixepoch), sa.func.datetime(start + number(slot_s), unixepoch)
