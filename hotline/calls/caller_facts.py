"""Both lookups before the menu as one statement: is the caller flagged, and which repair orders
are open in the areas of the accounts registered to the number.

Every inbound call asks this while it rings, so it is one statement, not one ORM session per
question. It answers exactly what `is_flagged` and `areas_for_phone` + `open_repairs_in_areas`
answer (tests/integration/test_pre_menu_lookups.py); those stay the fallback when this statement
fails, so a broken table costs only its own prompt.

`CallerFacts` asks it on SQLite over one driver connection kept for the purpose: one hand-off
to the driver's thread per call, where SQLAlchemy's pool checkout, cursor, execute, fetch, close
and reset take about six (140 instead of 770 µs of CPU a lookup on the lab machine, timed over
2,000 lookups). A caller's number forms (1 or 4) fill four fixed places, so the statement is
compiled once. Elsewhere (PostgreSQL) it goes through the engine's pool.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.harassment.models import FlaggedNumberRow
from hotline.orders.models import WorkOrderRow
from hotline.orders.open_repairs import OpenRepair
from hotline.phone_number import stored_forms
from hotline.selfservice.models import AccountRow
from hotline.store.kept_connection import KeptConnection
from hotline.store.statements import as_sqlalchemy_error, driver_of

_FLAGS = FlaggedNumberRow.__table__.c
_ACCOUNTS = AccountRow.__table__.c
_ORDERS = WorkOrderRow.__table__
FORMS = 4  # places for a caller's number forms (stored_forms: 1 for a landline, 4 for a mobile)
Facts = tuple[bool, tuple[OpenRepair, ...]]


def caller_statement() -> Select[tuple[object, ...]]:
    """One row per open repair order in the caller's areas (newest first), or one row of NULLs
    when there is none; every row says whether the caller is flagged. The caller's number forms
    are the parameters form0..form3."""
    w = _ORDERS.c
    forms: list[BindParameter[str]] = [bindparam(f"form{i}") for i in range(FORMS)]
    flagged = exists().where(_FLAGS.number.in_(forms), _FLAGS.cleared_at.is_(None))
    areas = select(_ACCOUNTS.area_code).where(_ACCOUNTS.phone.in_(forms))
    open_here = and_(w.kind == "repair", w.status != "closed", w.area_code.in_(areas))
    one_row = select(literal(1).label("one")).subquery("one_row")
    return (
        select(flagged.label("flagged"), w.id, w.number, w.area_code)
        .add_columns(w.fault_type, w.fault_subtype, w.created_at)
        .select_from(one_row.outerjoin(_ORDERS, open_here))
        .order_by(w.created_at.desc(), w.id.desc())
    )


_STATEMENT = caller_statement()  # built once: building a statement costs more than running it
_Row = namedtuple("_Row", [c.key for c in _STATEMENT.selected_columns])  # type: ignore[misc]


def form_parameters(number: str) -> dict[str, str] | None:
    """form0..form3 for a national `number` (its forms, the last repeated); None if unusable."""
    forms = stored_forms(number)
    if not forms:
        return None
    padded = (*forms, *(forms[-1],) * (FORMS - len(forms)))
    return {f"form{i}": f for i, f in enumerate(padded)}


def _facts(rows: Any) -> Facts:
    flagged = bool(rows[0].flagged)  # one row at least: the LEFT JOIN's one_row
    return flagged, tuple(OpenRepair.of(r) for r in rows if r.id is not None)


async def caller_facts(engine: AsyncEngine, number: str) -> Facts:
    """(flagged, open repairs in the caller's areas) for a national `number`, through the pool."""
    params = form_parameters(number)
    if params is None:
        return False, ()
    async with engine.connect() as conn:
        return _facts((await conn.execute(_STATEMENT, params)).all())


class CallerFacts:
    """`await facts(number)`: caller_facts(), on SQLite over a kept driver connection. A failed
    statement drops that connection (the next call takes a new one) and is raised as SQLAlchemy
    raises it. `close()` gives the connection back (the daemon stops)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._kept = KeptConnection(engine, "caller facts")
        dialect = engine.dialect
        compiled = _STATEMENT.compile(dialect=dialect)
        self._sql = compiled.string
        self._names = tuple(compiled.positiontup or ())
        self._fixed = {k: v for k, v in compiled.params.items() if not k.startswith("form")}
        types = (c.type.dialect_impl(dialect) for c in _STATEMENT.selected_columns)
        self._processors = tuple(t.result_processor(dialect, None) for t in types)

    async def __call__(self, number: str) -> Facts:
        if self.engine.dialect.driver != "aiosqlite":
            return await caller_facts(self.engine, number)
        params = form_parameters(number)
        if params is None:
            return False, ()
        values = {**self._fixed, **params}
        positional = tuple(values[n] for n in self._names)
        driver = await driver_of(await self._kept.get())
        try:
            raw = await driver.execute_fetchall(self._sql, positional)
        except sqlite3.Error as exc:
            await self._kept.drop(invalidate=True)
            raise as_sqlalchemy_error(self._sql, positional, exc) from exc
        return _facts([self._row(r) for r in raw])

    def _row(self, raw: Any) -> Any:
        return _Row._make(v if p is None else p(v) for v, p in zip(raw, self._processors, strict=True))

    async def close(self) -> None:
        await self._kept.release()
