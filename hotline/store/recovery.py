"""At daemon start: the calls a killed daemon left open are closed from their events.

Each open call (outcome NULL) is read with its events and closed with what `orphans.close_orphan`
makes of them, all in one transaction. A value a column cannot hold (an agent id too long for
its column...) is left out with a warning rather than keeping the daemon from starting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.store.models import Call, CallEvent, table_of
from hotline.store.orphans import ORPHAN_REASON, Logged, close_orphan
from hotline.store.utc_datetime import require_aware
from hotline.store.validate import checker

log = structlog.get_logger()
_IN_CHUNK = 500
_CALL_CHECKS = checker(table_of(Call))


async def _events_of(conn: AsyncConnection, uniqueids: list[str]) -> dict[str, list[Logged]]:
    found: dict[str, list[Logged]] = defaultdict(list)
    for i in range(0, len(uniqueids), _IN_CHUNK):
        stmt = (
            select(CallEvent.call_uniqueid, CallEvent.at, CallEvent.kind, CallEvent.data)
            .where(CallEvent.call_uniqueid.in_(uniqueids[i : i + _IN_CHUNK]))
            .order_by(CallEvent.id)
        )
        for uid, at, kind, data in (await conn.execute(stmt)).all():
            found[uid].append((at, kind, data))
    return found


def _storable(uniqueid: str, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            out[name] = _CALL_CHECKS.value(name, value)
        except (ValueError, TypeError) as exc:
            log.warning("store.orphan_value_left_out", uniqueid=uniqueid, field=name, error=str(exc))
    return out


async def close_open_calls(
    engine: AsyncEngine, now: datetime, extensions: Mapping[str, str] | None = None
) -> int:
    """Close every call with no outcome; returns how many were closed."""
    require_aware(now, "now")
    count = 0
    async with engine.begin() as conn:
        stmt = select(Call.uniqueid, Call.direction).where(Call.outcome.is_(None)).order_by(Call.id)
        open_calls = (await conn.execute(stmt)).all()
        events = await _events_of(conn, [uid for uid, _ in open_calls])
        for uid, direction in open_calls:
            fields = close_orphan(
                {"uniqueid": uid, "direction": direction}, events.get(uid, ()), now, extensions
            )
            values = _storable(uid, fields)
            values.setdefault("outcome", "failed")
            values.setdefault("failure_reason", ORPHAN_REASON)
            values.setdefault("ended_at", now)
            done = update(Call).where(Call.uniqueid == uid, Call.outcome.is_(None)).values(**values)
            count += (await conn.execute(done)).rowcount
            log.warning(
                "store.orphan_closed",
                uniqueid=uid,
                outcome=values["outcome"],
                reason=values["failure_reason"],
            )
    return count
