"""Reconcile the call store with Asterisk's CDR ledger, at daemon start and then every
`asterisk.cdr_reconcile_seconds` (hotline/services/ledger_watch.py): every inbound call Asterisk
handled gets exactly one row in `calls`.

`reconcile_ledger(engine, path, now, agents)` reads the ledger off the event loop, folds it into
inbound calls (hotline.asterisk.cdr_ledger) and, in one transaction:

- a call the fallback took that has NO row is inserted, from the ledger alone (direction
  inbound, caller number, channel, start, answer, end, and the agent who answered in the
  fallback with talk time): outcome `fallback` (FALLBACK_REASON), or `blocked` when the
  fallback refused it busy (all lines taken);
- a call WITHOUT a row that never reached the fallback is only counted (`not_in_store`) and
  logged: a daemon handled it, so its record is that daemon's to write (the recorder keeps what
  it could not commit); and where several stores share one Asterisk (the lab's tests) such calls
  belong to another store. Inserting them would give a store every other store's calls;
- a row the orphan recovery closed (failure_reason starts "daemon stopped") whose ledger shows
  the call went on in the fallback becomes `fallback`: its true end, and the fallback's agent and
  talk time when an agent answered there; everything else it holds (IVR path, category, queue
  times...) is kept, and " - then handled by the fallback dialplan" is added to its reason.
  A row the ACD had connected to an agent (agent_answered) is left as it is.

Every other row is never touched. Idempotent: an inserted row exists the next time, an updated
row is no longer an orphan's (each UPDATE also checks the row still holds what was read), so a
second run changes nothing. Only calls that ended within `lookback` (7 days) of `now` count, so
a years-long ledger costs one read, not years of rows in a new database. Calls still in progress
are not in the ledger yet (Asterisk writes a CDR when it ends): the next round finds them.

The ledger and the store must belong together (one Asterisk, one daemon): a store given another
Asterisk's ledger would get that Asterisk's fallback calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.asterisk.cdr_ledger import LedgerCall, ParsedLedger, inbound_calls, parse_ledger
from hotline.calls.fields import store_text
from hotline.store.models import Call, table_of
from hotline.store.utc_datetime import require_aware

log = structlog.get_logger("store.ledger")

FALLBACK_REASON = "handled by the fallback dialplan while the daemon was down"
BUSY_REASON = "all inbound lines busy (fallback dialplan, daemon down)"
TAKEN_OVER = " - then handled by the fallback dialplan"
ORPHAN_PREFIX = "daemon stopped"  # every failure_reason the orphan recovery writes starts so
KEPT_BY_ACD = ("agent_answered", "fallback")  # closed orphans never turned into `fallback`
LOOKBACK = timedelta(days=7)
_CHUNK = 500  # uniqueids per SELECT ... IN (...)
_CALLS = table_of(Call)
_c = _CALLS.c


class LedgerError(OSError):
    """The ledger file cannot be read (missing, a directory, no permission)."""


@dataclass(frozen=True)
class LedgerSummary:
    calls: int  # inbound calls in the ledger (within the lookback)
    inserted: int
    updated: int
    bad_lines: int
    not_in_store: int = 0  # no row, and the fallback never took them: counted and logged only


def read_ledger(path: Path) -> ParsedLedger:
    """The whole file, parsed (blocking: run it in a thread). No file yet = no CDR yet (Asterisk
    creates it with its first CDR)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.info("ledger.no_file_yet", file=str(path))
        data = b""
    except OSError as exc:
        raise LedgerError(f"cannot read the CDR ledger {path}: {exc.strerror or exc}") from exc
    return parse_ledger(data, str(path))


def _insert_row(call: LedgerCall) -> dict[str, Any]:
    outcome, reason = ("blocked", BUSY_REASON) if call.refused_busy else ("fallback", FALLBACK_REASON)
    return {
        "uniqueid": call.uniqueid,
        "linkedid": store_text(call.linkedid, "linkedid") or None,
        "direction": "inbound",
        "trunk": store_text(call.channel, "trunk") or None,
        "caller_number": store_text(call.caller_number, "caller_number"),
        "started_at": call.started_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "outcome": outcome,
        "failure_reason": reason,
        "ivr_path": [],
        **_agent_fields(call),
    }


def _agent_fields(call: LedgerCall) -> dict[str, Any]:
    """The fallback's agent and talk (all None when no agent answered there)."""
    return {
        "agent_id": call.agent_id,
        "agent_extension": call.agent_extension,
        "talk_started_at": call.talk_started_at,
        "talk_s": call.talk_s,
    }


async def _existing(conn: AsyncConnection, uniqueids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """uniqueid -> (outcome, failure_reason) of the rows that exist."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for i in range(0, len(uniqueids), _CHUNK):
        stmt = sa.select(_c.uniqueid, _c.outcome, _c.failure_reason).where(
            _c.uniqueid.in_(uniqueids[i : i + _CHUNK])
        )
        found.update({r[0]: (r[1], r[2]) for r in await conn.execute(stmt)})
    return found


def _taken_over(row: tuple[str | None, str | None], call: LedgerCall) -> bool:
    outcome, reason = row
    return (
        call.via_fallback
        and outcome not in KEPT_BY_ACD
        and reason is not None
        and reason.startswith(ORPHAN_PREFIX)
    )


async def _update(conn: AsyncConnection, call: LedgerCall, row: tuple[str | None, str | None]) -> int:
    outcome, reason = row
    stmt = (
        sa.update(_CALLS)
        .where(_c.uniqueid == call.uniqueid, _c.outcome == outcome, _c.failure_reason == reason)
        .values(
            outcome="fallback",
            ended_at=call.ended_at,
            failure_reason=f"{reason}{TAKEN_OVER}",
            **(_agent_fields(call) if call.agent_id is not None else {}),
        )
    )
    return (await conn.execute(stmt)).rowcount


async def _apply(conn: AsyncConnection, calls: dict[str, LedgerCall]) -> tuple[int, int, list[str]]:
    """-> (inserted, updated, uniqueids of the calls neither in the store nor the fallback's)."""
    existing = await _existing(conn, list(calls))
    missing = [c for uid, c in calls.items() if uid not in existing]
    inserts = [_insert_row(c) for c in missing if c.via_fallback]
    if inserts:
        await conn.execute(sa.insert(_CALLS), inserts)
    updated = 0
    for uid, row in existing.items():
        if _taken_over(row, calls[uid]):
            updated += await _update(conn, calls[uid], row)
    return len(inserts), updated, [c.uniqueid for c in missing if not c.via_fallback]


async def reconcile_ledger(
    engine: AsyncEngine,
    path: str | Path,
    now: datetime,
    agents: Mapping[str, str] | None = None,
    *,
    lookback: timedelta = LOOKBACK,
) -> LedgerSummary:
    """Record the ledger's calls the store lacks (see the module's docstring); `agents` maps each
    agent's extension to its 工号. Raises LedgerError if the file cannot be read."""
    since = require_aware(now, "now") - lookback
    parsed = await asyncio.to_thread(read_ledger, Path(path))
    calls = {uid: c for uid, c in inbound_calls(parsed.cdrs, agents or {}).items() if c.ended_at >= since}
    async with engine.begin() as conn:
        inserted, updated, elsewhere = await _apply(conn, calls)
    if elsewhere:
        log.warning(
            "ledger.not_in_store",
            calls=len(elsewhere),
            first=elsewhere[:10],
            note="handled by a daemon (never by the fallback) yet without a row here",
        )
    summary = LedgerSummary(len(calls), inserted, updated, parsed.bad_lines, len(elsewhere))
    changed = inserted or updated or parsed.bad_lines
    (log.info if changed else log.debug)(
        "ledger.reconciled",
        file=str(path),
        calls=summary.calls,
        inserted=inserted,
        updated=updated,
        bad_lines=parsed.bad_lines,
        not_in_store=len(elsewhere),
        incomplete_tail=parsed.incomplete_tail,
    )
    return summary
