"""On SQLite, an optimistic batch (hotline.store.batch.optimistic_steps) and its commit in one
hand-off to the driver's thread.

Each hand-off to aiosqlite's thread wakes that thread and then the event loop, which on the
2-core lab costs more CPU than a small batch's writing: written statement by statement, a batch
of a call start takes two (its executemany, then the commit), a busier one four. Here the
statements, the row-count checks and the commit (or the rollback) all run on the thread, as one
function. aiosqlite has no public call for that: its own primitive behind every public method,
`Connection._execute(fn, ...)`, is used (pinned in pyproject.toml; every SQLite store test goes
through it).

Errors come back as SQLAlchemy raises them (OperationalError, IntegrityError, ...), so the
committer's retry and split work unchanged; a shortfall in changed rows rolls back and raises
`Conflict` for the careful write, as statement by statement.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hotline.store.batch import Conflict, Step
from hotline.store.statements import as_sqlalchemy_error, driver_of

_Planned = list[tuple[str, list[tuple[Any, ...]], Step]]


class _StepFailed(Exception):
    def __init__(self, sql: str, parameters: object) -> None:
        super().__init__(sql)
        self.sql, self.parameters = sql, parameters


def _run(raw: sqlite3.Connection, planned: _Planned) -> str | None:
    """On the driver's thread: every statement, then COMMIT; the `Conflict` message (rolled
    back) if a statement changed fewer rows than it must. Runs in the connection's implicit
    transaction (the sqlite3 module begins one before the first INSERT or UPDATE)."""
    committed = False
    try:
        for sql, parameters, step in planned:
            try:
                changed = raw.executemany(sql, parameters).rowcount
            except sqlite3.Error as exc:
                raise _StepFailed(sql, parameters) from exc
            if (shortfall := step.shortfall(changed)) is not None:
                return shortfall
        try:
            raw.commit()
        except sqlite3.Error as exc:
            raise _StepFailed("COMMIT", ()) from exc
        committed = True
        return None
    finally:
        if not committed and raw.in_transaction:
            raw.rollback()


async def commit_steps(conn: AsyncConnection, steps: list[Step]) -> None:
    """Run `steps` and commit, in one hand-off to `conn`'s aiosqlite thread (`conn` outside
    any SQLAlchemy transaction). Raises `Conflict` (nothing written) on a shortfall."""
    planned = [(s.statement.sql, s.statement.parameters(s.rows), s) for s in steps]
    driver = await driver_of(conn)
    try:
        shortfall = await driver._execute(_run, driver._conn, planned)
    except _StepFailed as failed:
        cause = failed.__cause__
        assert isinstance(cause, sqlite3.Error)
        raise as_sqlalchemy_error(failed.sql, failed.parameters, cause, multi=True) from cause
    except sqlite3.Error as exc:  # the rollback after a failure failed as well
        raise as_sqlalchemy_error("ROLLBACK", (), exc) from exc
    if shortfall is not None:
        raise Conflict(shortfall)
