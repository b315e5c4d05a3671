"""Both lookups before the menu as one statement: is the caller flagged, and which repair orders
are open in the areas of the accounts registered to the number.

Every inbound call asks this while it rings, so it is one round trip on one connection, not one
ORM session per question: it was the daemon's largest cost per call after the recorder
(bench/capacity.py). It answers exactly what `is_flagged` and `areas_for_phone` +
`open_repairs_in_areas` answer (tests/integration/test_pre_menu_lookups.py); those stay the
fallback when this statement fails, so a broken table costs only its own prompt.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, Select, and_, bindparam, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.harassment.models import FlaggedNumberRow
from hotline.orders.models import WorkOrderRow
from hotline.orders.open_repairs import OpenRepair
from hotline.phone_number import stored_forms
from hotline.selfservice.models import AccountRow

_FLAGS = FlaggedNumberRow.__table__.c
_ACCOUNTS = AccountRow.__table__.c
_ORDERS = WorkOrderRow.__table__


def caller_statement() -> Select[tuple[object, ...]]:
    """One row per open repair order in the caller's areas (newest first), or one row of NULLs
    when there is none; every row says whether the caller is flagged. The caller's number forms
    are the expanding parameter "forms"."""
    w = _ORDERS.c
    forms: BindParameter[str] = bindparam("forms", expanding=True)
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


async def caller_facts(engine: AsyncEngine, number: str) -> tuple[bool, tuple[OpenRepair, ...]]:
    """(flagged, open repairs in the caller's areas) for a national `number`, in one statement."""
    forms = stored_forms(number)
    if not forms:
        return False, ()
    async with engine.connect() as conn:
        rows = (await conn.execute(_STATEMENT, {"forms": list(forms)})).all()
    flagged = bool(rows[0].flagged)  # one row at least: the LEFT JOIN's one_row
    return flagged, tuple(OpenRepair.of(r) for r in rows if r.id is not None)
