"""Reading and writing the dialer's tables. Every write is its own short transaction.

Jobs are inserted idempotently: (purpose, ref) is unique, so the same "service done" message,
notice or callback arriving twice schedules one job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.dialer.models import DncRow, OutboundAttemptRow, OutboundJobRow
from hotline.phone_number import normalise
from hotline.selfservice.models import OutageNoticeRow
from hotline.selfservice.records import Notice
from hotline.store.statements import dialect_insert

OPEN = ("pending", "in_progress")
_Row = TypeVar("_Row")


async def _rows(engine: AsyncEngine, query: Select[tuple[_Row]]) -> list[_Row]:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        return list((await session.scalars(query)).all())


@dataclass(frozen=True)
class NewJob:
    id: str
    purpose: str
    ref: str
    number: str
    priority: int
    not_before: datetime
    deadline: datetime
    max_attempts: int
    created_at: datetime
    payload: dict[str, str] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return dict(
            id=self.id,
            purpose=self.purpose,
            ref=self.ref,
            number=self.number,
            priority=self.priority,
            not_before=self.not_before,
            deadline=self.deadline,
            next_at=self.not_before,
            max_attempts=self.max_attempts,
            attempts=0,
            status="pending",
            payload=self.payload,
            created_at=self.created_at,
        )


async def insert_jobs(engine: AsyncEngine, jobs: list[NewJob]) -> list[str]:
    """Insert the jobs not yet known by (purpose, ref); returns the ids actually inserted."""
    if not jobs:
        return []
    insert_or_skip = dialect_insert(engine.dialect)
    inserted: list[str] = []
    async with engine.begin() as conn:
        for job in jobs:  # one statement per job: RETURNING tells which ones were new
            stmt = (
                insert_or_skip(OutboundJobRow)
                .values(**job.row())
                .on_conflict_do_nothing(index_elements=["purpose", "ref"])
                .returning(OutboundJobRow.id)
            )
            got = (await conn.execute(stmt)).scalar_one_or_none()
            if got is not None:
                inserted.append(got)
    return inserted


async def open_jobs(engine: AsyncEngine, ids: list[str] | None = None) -> list[OutboundJobRow]:
    """Pending and in-progress jobs (all, or those of `ids`)."""
    q = select(OutboundJobRow).where(OutboundJobRow.status.in_(OPEN))
    if ids is not None:
        q = q.where(OutboundJobRow.id.in_(ids))
    return await _rows(engine, q)


async def recover_interrupted(engine: AsyncEngine, now: datetime) -> int:
    """A previous run stopped during calls: close their attempts as failed, jobs back to pending."""
    reason = "the daemon stopped during the call"
    async with engine.begin() as conn:
        closed = (
            await conn.execute(
                update(OutboundAttemptRow)
                .where(OutboundAttemptRow.result.is_(None))
                .values(result="failed", failure_reason=reason, ended_at=now)
            )
        ).rowcount
        await conn.execute(
            update(OutboundJobRow)
            .where(OutboundJobRow.status == "in_progress")
            .values(status="pending", reason="failed", next_at=now)
        )
    return closed


async def changed_since(engine: AsyncEngine, since: datetime) -> tuple[list[OutboundJobRow], list[str]]:
    """For the daemon's poll: jobs created since `since` that are pending, and jobs cancelled."""
    new = await _rows(
        engine,
        select(OutboundJobRow).where(
            and_(OutboundJobRow.status == "pending", OutboundJobRow.created_at >= since)
        ),
    )
    async with engine.connect() as conn:
        cancelled = list(
            (
                await conn.execute(
                    select(OutboundJobRow.id).where(
                        and_(OutboundJobRow.status == "cancelled", OutboundJobRow.finished_at >= since)
                    )
                )
            ).scalars()
        )
    return new, cancelled


async def attempt_started(
    engine: AsyncEngine, *, job_id: str, attempt: int, number: str, purpose: str, content: str, at: datetime
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(OutboundAttemptRow).values(
                job_id=job_id, attempt=attempt, number=number, purpose=purpose, content=content, started_at=at
            )
        )
        await conn.execute(
            update(OutboundJobRow)
            .where(OutboundJobRow.id == job_id)
            .values(status="in_progress", attempts=attempt, next_at=None)
        )


async def attempt_answered(
    engine: AsyncEngine, job_id: str, attempt: int, at: datetime, uniqueid: str
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(OutboundAttemptRow)
            .where(and_(OutboundAttemptRow.job_id == job_id, OutboundAttemptRow.attempt == attempt))
            .values(answered_at=at, uniqueid=uniqueid)
        )


async def attempt_ended(
    engine: AsyncEngine,
    *,
    job_id: str,
    attempt: int,
    at: datetime,
    result: str,
    reason: str | None = None,
    key: str | None = None,
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(OutboundAttemptRow)
            .where(and_(OutboundAttemptRow.job_id == job_id, OutboundAttemptRow.attempt == attempt))
            .values(ended_at=at, result=result, failure_reason=reason, key=key)
        )


async def attempt_skipped(
    engine: AsyncEngine, *, job_id: str, attempt: int, number: str, purpose: str, at: datetime, result: str
) -> None:
    """A try that never dialled (number on the DNC list, window missed): a record all the same."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(OutboundAttemptRow).values(
                job_id=job_id,
                attempt=attempt,
                number=number,
                purpose=purpose,
                content="(not dialled)",
                started_at=at,
                ended_at=at,
                result=result,
            )
        )


async def job_rescheduled(engine: AsyncEngine, job_id: str, due_at: datetime, reason: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(OutboundJobRow)
            .where(OutboundJobRow.id == job_id)
            .values(status="pending", next_at=due_at, reason=reason)
        )


async def job_finished(
    engine: AsyncEngine, job_id: str, *, status: str, reason: str | None, key: str | None, at: datetime
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(OutboundJobRow)
            .where(OutboundJobRow.id == job_id)
            .values(status=status, reason=reason, key=key, next_at=None, finished_at=at)
        )


async def cancel_job(engine: AsyncEngine, job_id: str, reason: str, at: datetime) -> bool:
    """Cancel a pending job (the CLI); False if there is no such pending job."""
    async with engine.begin() as conn:
        done = await conn.execute(
            update(OutboundJobRow)
            .where(and_(OutboundJobRow.id == job_id, OutboundJobRow.status == "pending"))
            .values(status="cancelled", reason=reason, next_at=None, finished_at=at)
        )
    return done.rowcount == 1


async def jobs_for_status(engine: AsyncEngine, *, finished_limit: int) -> list[OutboundJobRow]:
    """Open jobs (all) and the most recently finished ones."""
    open_rows = await _rows(
        engine, select(OutboundJobRow).where(OutboundJobRow.status.in_(OPEN)).order_by(OutboundJobRow.next_at)
    )
    done_rows = await _rows(
        engine,
        select(OutboundJobRow)
        .where(OutboundJobRow.status.not_in(OPEN))
        .order_by(OutboundJobRow.finished_at.desc())
        .limit(finished_limit),
    )
    return open_rows + done_rows


async def attempts_of(engine: AsyncEngine, job_id: str) -> list[OutboundAttemptRow]:
    return await _rows(
        engine,
        select(OutboundAttemptRow)
        .where(OutboundAttemptRow.job_id == job_id)
        .order_by(OutboundAttemptRow.attempt),
    )


async def dnc_numbers(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set((await conn.execute(select(DncRow.number))).scalars())


async def dnc_add(engine: AsyncEngine, number: str, reason: str, at: datetime) -> str:
    """Put `number` (any written form) on the list in its national form, which is returned;
    PhoneNumberError for anything that is not a phone number."""
    number = normalise(number, "do-not-call number")
    insert_or_skip = dialect_insert(engine.dialect)
    async with engine.begin() as conn:
        await conn.execute(
            insert_or_skip(DncRow)
            .values(number=number, reason=reason, added_at=at)
            .on_conflict_do_nothing(index_elements=["number"])
        )
    return number


async def dnc_remove(engine: AsyncEngine, number: str) -> bool:
    """Take `number` (any written form) off the list; False if it was not on it."""
    number = normalise(number, "do-not-call number")
    async with engine.begin() as conn:
        return (await conn.execute(delete(DncRow).where(DncRow.number == number))).rowcount == 1


async def planned_notices_after(engine: AsyncEngine, after_id: int, now: datetime) -> list[Notice]:
    """Planned outages not begun yet (nor cancelled) with an id above `after_id` (new since the last look)."""
    rows = await _rows(
        engine,
        select(OutageNoticeRow)
        .where(
            and_(
                OutageNoticeRow.id > after_id,
                OutageNoticeRow.kind == "planned",
                OutageNoticeRow.starts_at > now,
                OutageNoticeRow.cancelled_at.is_(None),
            )
        )
        .order_by(OutageNoticeRow.id),
    )
    return [Notice.of(r) for r in rows]


async def notice_by_id(engine: AsyncEngine, notice_id: int) -> Notice | None:
    rows = await _rows(engine, select(OutageNoticeRow).where(OutageNoticeRow.id == notice_id))
    return Notice.of(rows[0]) if rows else None
