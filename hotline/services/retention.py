"""The daily retention job: recordings of calls older than `retention.recordings_months` are
deleted (hotline/recordings/retention_rules.py says which, and why never a younger one).

Every run goes through the expired calls in batches: their files are deleted OFF the event loop
(a thread; the loop carries live calls), each deletion logged (`retention.deleted`), a file
already gone logged as such (`retention.missing`) without stopping the job, and the call row
marked (`recording_deleted_at`, `recording_deleted_reason`). A file that may not be deleted (a
path outside the recordings directory, a symlink) or cannot be (permissions) is logged as an
error and its row left unmarked: tomorrow's run tries again. A store that is away is logged and
the job waits for the next day.

Wiring (the daemon's TaskGroup): `tg.create_task(RetentionJob(settings, engine, utcnow).run(),
name="retention")`, cancelled at stop like the other loops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.recordings.paths import RecordingPathError, RecordingsDir
from hotline.recordings.retention_rules import (
    DELETED,
    MISSING,
    REFUSED,
    RetentionRow,
    expired,
    limit,
    next_run,
    row_reason,
)
from hotline.recordings.sources import MESSAGE_KINDS, all_paths
from hotline.reports.period import DEFAULT_TZ, zone
from hotline.settings import Settings
from hotline.store.models import Call, CallEvent, table_of

log = structlog.get_logger("retention")
BATCH = 200


@dataclass
class Summary:
    """What one run did: calls marked, files deleted / already missing / left (refused or failed)."""

    calls: int = 0
    deleted: int = 0
    missing: int = 0
    left: int = 0
    marked: list[str] = field(default_factory=list)


def delete_files(folder: RecordingsDir, paths: Sequence[str]) -> list[tuple[str, str, str]]:
    """(path, result, detail) for each file: DELETED, MISSING or REFUSED. Blocking: run it in a
    thread."""
    results = []
    for path in paths:
        try:
            folder.delete(path)
        except FileNotFoundError:
            results.append((path, MISSING, ""))
        except (RecordingPathError, OSError) as exc:
            results.append((path, REFUSED, f"{type(exc).__name__}: {exc}"))
        else:
            results.append((path, DELETED, ""))
    return results


class RetentionJob:
    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        clock: Callable[[], datetime],
        *,
        tz: ZoneInfo | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.engine, self.clock, self.sleep = engine, clock, sleep
        self.months = settings.retention.recordings_months
        self.run_at = settings.retention.run_at_minutes
        self.folder = RecordingsDir.from_settings(settings.asterisk)
        self.tz = tz or zone(DEFAULT_TZ)

    async def run(self) -> None:
        """Every day at retention.run_at (local time), until cancelled."""
        while True:
            wait = (next_run(self.clock(), self.run_at, self.tz) - self.clock()).total_seconds()
            await self.sleep(max(0.0, wait))
            try:
                await self.once()
            except (SQLAlchemyError, OSError) as exc:  # the store away: tomorrow's run catches up
                log.warning("retention.store_unreachable", error=f"{type(exc).__name__}: {exc}")

    async def once(self) -> Summary:
        """Delete the recordings that have expired now; returns what was done."""
        now = self.clock()
        before = limit(now, self.months, self.tz)
        summary = Summary()
        after: tuple[datetime, int] | None = None
        while True:
            batch, after = await self._candidates(before, after)
            if not batch:
                break
            chosen = expired(batch, now, self.months, self.tz)
            outcomes = await asyncio.to_thread(_delete_rows, self.folder, chosen)
            done = dict(self._log(row, outcomes[row.uniqueid]) for row in chosen)
            await self._mark(done, now)
            for results in outcomes.values():
                summary.deleted += sum(1 for _, r, _ in results if r == DELETED)
                summary.missing += sum(1 for _, r, _ in results if r == MISSING)
                summary.left += sum(1 for _, r, _ in results if r == REFUSED)
            summary.marked += [uid for uid, reason in done.items() if reason is not None]
        summary.calls = len(summary.marked)
        log.info(
            "retention.done",
            limit=before.isoformat(),
            **{k: v for k, v in vars(summary).items() if k != "marked"},
        )
        return summary

    def _log(self, row: RetentionRow, results: list[tuple[str, str, str]]) -> tuple[str, str | None]:
        for path, result, detail in results:
            where = {"call": row.uniqueid, "path": path, "started_at": row.started_at.isoformat()}
            if result == DELETED:
                log.info("retention.deleted", **where)
            elif result == MISSING:
                log.warning("retention.missing", **where)
            else:
                log.error("retention.not_deleted", error=detail, **where)
        return row.uniqueid, row_reason([r for _, r, _ in results])

    async def _candidates(
        self, before: datetime, after: tuple[datetime, int] | None
    ) -> tuple[list[RetentionRow], tuple[datetime, int] | None]:
        """The next batch of calls started before `before` with recordings not yet deleted, in
        (started_at, id) order after `after`; with the paths of their messages."""
        stmt = (
            select(Call.id, Call.uniqueid, Call.started_at, Call.recording_path, Call.message_path)
            .where(Call.started_at < before, Call.recording_deleted_at.is_(None))
            .where(or_(Call.recording_path.is_not(None), Call.message_path.is_not(None)))
            .order_by(Call.started_at, Call.id)
            .limit(BATCH)
        )
        if after is not None:
            at, last_id = after
            stmt = stmt.where(or_(Call.started_at > at, and_(Call.started_at == at, Call.id > last_id)))
        async with self.engine.connect() as conn:
            calls = (await conn.execute(stmt)).all()
            if not calls:
                return [], after
            events_stmt = (
                select(CallEvent)
                .where(CallEvent.call_uniqueid.in_([c.uniqueid for c in calls]))
                .where(CallEvent.kind.in_(MESSAGE_KINDS))
                .order_by(CallEvent.id)
            )
            events = (await conn.execute(events_stmt)).all()
        rows = [
            RetentionRow(
                c.uniqueid,
                c.started_at,
                tuple(all_paths(c, [e for e in events if e.call_uniqueid == c.uniqueid])),
            )
            for c in calls
        ]
        return rows, (calls[-1].started_at, calls[-1].id)

    async def _mark(self, done: dict[str, str | None], now: datetime) -> None:
        marks = [{"uid": uid, "reason": reason} for uid, reason in done.items() if reason is not None]
        if not marks:
            return
        calls = table_of(Call)
        stmt = (
            update(calls)
            .where(calls.c.uniqueid == bindparam("uid"), calls.c.recording_deleted_at.is_(None))
            .values(recording_deleted_at=now, recording_deleted_reason=bindparam("reason"))
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt, marks)


def _delete_rows(
    folder: RecordingsDir, rows: Sequence[RetentionRow]
) -> dict[str, list[tuple[str, str, str]]]:
    return {row.uniqueid: delete_files(folder, row.paths) for row in rows}
