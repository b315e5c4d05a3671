"""The recorder's hot statements, run as driver-level executemany.

SQLAlchemy Core's executemany builds a parameter dict per row before converting it; at ten
thousand calls a second that overhead costs more than the database work. Here SQLAlchemy still
compiles each statement, once per dialect and column set (so the paramstyle, bind casts and
ON CONFLICT syntax are the dialect's own), and each row becomes a tuple through the bind
processors of the column types, the same conversion Core applies, before it goes to the
driver's executemany (`exec_driver_sql`).

One conversion is done here instead, for speed: UTCDateTime on SQLite (several timestamps a call,
each through a TypeDecorator and SQLite's DATETIME formatting) becomes one isoformat() call. It
is used only if it gives SQLAlchemy's exact text for a set of probe timestamps; test_store_statements
compares the two on arbitrary timestamps.

Statements name only the columns a row has: a column left out gets the database's server
default (tests/integration/test_store_batch.py checks recorded rows equal rows written through
SQLAlchemy Core, on both databases).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from operator import itemgetter
from typing import Any

import structlog
from sqlalchemy import Table, bindparam, column, table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement, TableClause
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from hotline.store.utc_datetime import UTCDateTime

log = structlog.get_logger()
# a table or a mapped class -> its INSERT, with `on_conflict_do_nothing` and `on_conflict_do_update`
DialectInsert = Callable[[Any], sqlite.Insert | postgresql.Insert]
_INSERTS: dict[str, DialectInsert] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def dialect_insert(dialect: Dialect) -> DialectInsert:
    """The dialect's `insert()` (it has `on_conflict_do_nothing`); SQLite and PostgreSQL only."""
    if dialect.name not in _INSERTS:
        raise ValueError(f"no INSERT ... ON CONFLICT for dialect {dialect.name!r}")
    return _INSERTS[dialect.name]


KEY_PARAM = "_key"  # the bind name of the WHERE key of an UPDATE (no column starts with "_")
_PROBES = (
    datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC),
    datetime(1, 1, 1, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2024, 12, 31, 23, 0, 0, 1, tzinfo=timezone(timedelta(hours=-2))),
)


def bind_processor(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The conversion SQLAlchemy applies to a bound value of type `kind` (None: no conversion)."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process is None or dialect.name != "sqlite" or not isinstance(kind, UTCDateTime):
        return process

    def utc_text(value: Any) -> Any:
        if value.__class__ is datetime and value.utcoffset() is not None:
            return value.astimezone(UTC).isoformat(" ", "microseconds")[:26]  # drop "+00:00"
        return process(value)  # None, naive (refused there), datetime subclasses

    if all(utc_text(p) == process(p) for p in _PROBES):
        return utc_text
    log.warning("store.fast_timestamp_text_disabled", reason="differs from SQLAlchemy's on the probes")
    return process


def as_sqlalchemy_error(
    sql: str, parameters: Any, exc: sqlite3.Error, *, multi: bool = False
) -> StatementError:
    """A sqlite3 error from a statement run on the driver itself, as SQLAlchemy would raise it
    (OperationalError, IntegrityError, ...), so callers handle one kind of error."""
    return DBAPIError.instance(sql, parameters, exc, sqlite3.Error, ismulti=multi)


async def driver_of(conn: AsyncConnection) -> Any:
    """The driver's own connection (aiosqlite's) under a checked-out SQLAlchemy connection.
    A valid one is read directly (no I/O can happen); SQLAlchemy's awaitable way, which starts a
    greenlet each time, is only needed to revalidate one (twice a call on the hot paths)."""
    sync = conn.sync_connection
    if sync is not None and not sync.closed and not sync.invalidated:
        raw = sync.connection
    else:
        raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None  # a checked-out connection has one
    return driver


class Prepared:
    """One compiled statement: `run(conn, rows)` executes it once per row (dicts by column)."""

    __slots__ = ("sql", "names", "_get", "_processors")

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {type(statement).__name__}")
        if compiled.positiontup is None:
            raise ValueError(f"dialect {dialect.name!r} does not use a positional paramstyle")
        self.sql: str = compiled.string
        self.names: tuple[str, ...] = tuple(compiled.positiontup)
        getter = itemgetter(*self.names)
        self._get: Callable[[dict[str, Any]], tuple[Any, ...]] = (
            getter if len(self.names) > 1 else lambda row: (getter(row),)
        )
        processors = (bind_processor(compiled.binds[n].type, dialect) for n in self.names)
        self._processors = tuple((i, p) for i, p in enumerate(processors) if p is not None)

    def parameters(self, rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
        get, processors = self._get, self._processors
        if not processors:
            return [get(row) for row in rows]
        out = []
        for row in rows:
            values = list(get(row))
            for i, process in processors:
                values[i] = process(values[i])
            out.append(tuple(values))
        return out

    async def run(self, conn: AsyncConnection, rows: list[dict[str, Any]]) -> int:
        """Execute for every row, in `conn`'s transaction; returns the rows changed (-1 where
        the driver cannot tell, i.e. when `conn.dialect.supports_sane_multi_rowcount` is false).
        On aiosqlite the driver's own executemany: one hand-off to its thread instead of
        SQLAlchemy's four (cursor, execute, fetch, close), half the CPU of a small batch."""
        parameters = self.parameters(rows)
        if conn.dialect.driver == "aiosqlite":
            driver = await driver_of(conn)
            try:
                cursor = await driver.executemany(self.sql, parameters)
            except sqlite3.Error as exc:
                raise as_sqlalchemy_error(self.sql, parameters, exc, multi=True) from exc
            return int(cursor.rowcount)
        result = await conn.exec_driver_sql(self.sql, parameters)
        return result.rowcount


def _clause(t: Table, names: Iterable[str]) -> TableClause:
    """`t` with only these columns (and their types): no Python-side defaults get added."""
    return table(t.name, *(column(n, t.c[n].type) for n in names), schema=t.schema)


@lru_cache(maxsize=256)
def insert_rows(
    dialect: Dialect, t: Table, names: tuple[str, ...], *, skip_existing: str | None = None
) -> Prepared:
    """INSERT of rows with exactly the columns `names`; with `skip_existing` (the name of a
    unique column), rows whose key is already stored are skipped (ON CONFLICT DO NOTHING)."""
    clause = _clause(t, names)
    if skip_existing is None:
        stmt = clause.insert().values({n: bindparam(n) for n in names})
    else:
        stmt = dialect_insert(dialect)(clause).values({n: bindparam(n) for n in names})
        stmt = stmt.on_conflict_do_nothing(index_elements=[skip_existing])
    return Prepared(stmt, dialect)


@lru_cache(maxsize=256)
def update_where_null(dialect: Dialect, t: Table, key: str, null: str, names: tuple[str, ...]) -> Prepared:
    """UPDATE t SET names... WHERE key = :_key AND null IS NULL (rows carry `_key` too)."""
    clause = _clause(t, dict.fromkeys((key, null, *names)))
    stmt = (
        update(clause)
        .where(clause.c[key] == bindparam(KEY_PARAM), clause.c[null].is_(None))
        .values({n: bindparam(n) for n in names})
    )
    return Prepared(stmt, dialect)
