"""Changing a published outage notice (the console): edit it, or cancel it.

A planned notice's outbound calls (hotline.dialer: one `outage_notice` job per phone of the area,
ref `notice-<id>:<number>`, scheduled by the running daemon when it sees a new planned notice)
read out its area code and times. So:

- an edit of the area name, towns or reason changes the row in place: the IVR, the fallback and
  the agents' screen see it at once, and no one is called again for it;
- an edit of the kind, area code, start or end REPLACES the notice: in one transaction the old
  row is marked cancelled, its calls not yet made are cancelled, and the edited notice is
  published under a new id. The daemon sees a new planned notice and calls the area with the new
  times (customers who heard the old times hear the new ones);
- a cancel marks the row cancelled and cancels its calls not yet made, in one transaction. A call
  being dialled at that moment finishes. The daemon picks the cancelled jobs up at its next poll.

Cancelled notices are kept (`cancelled_at`), never announced nor called: ids are never reused,
so the daemon's "notices newer than the last one seen" and the jobs' refs stay right. A notice
that has ended or was cancelled is history: it is neither edited nor cancelled again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hotline.dialer.models import OutboundJobRow
from hotline.selfservice.models import OutageNoticeRow
from hotline.selfservice.notices import NoticeError, check_notice
from hotline.selfservice.records import Notice
from hotline.store.utc_datetime import require_aware

CALLED_FIELDS = ("kind", "area_code", "starts_at", "ends_at")  # what the notice's calls read out


class NoticeGone(NoticeError):
    """No such notice, or it has ended or was cancelled (history is not changed)."""


@dataclass(frozen=True)
class NoticeChange:
    before: Notice
    after: Notice | None  # None: cancelled
    calls_cancelled: int  # the notice's outbound calls not yet made, cancelled

    @property
    def replaced(self) -> bool:
        return self.after is not None and self.after.id != self.before.id


async def _current(session: AsyncSession, notice_id: int, now: datetime) -> OutageNoticeRow:
    row = await session.get(OutageNoticeRow, notice_id)
    if row is None:
        raise NoticeGone(f"there is no notice {notice_id}")
    if row.cancelled_at is not None:
        raise NoticeGone(f"notice {notice_id} was cancelled; it is kept as it was")
    if row.ends_at <= now:
        raise NoticeGone(f"notice {notice_id} has ended; it is kept as it was")
    return row


async def _cancel_calls(session: AsyncSession, notice_id: int, reason: str, now: datetime) -> int:
    done = await session.execute(
        update(OutboundJobRow)
        .where(
            and_(
                OutboundJobRow.purpose == "outage_notice",
                OutboundJobRow.ref.like(f"notice-{int(notice_id)}:%"),
                OutboundJobRow.status == "pending",
            )
        )
        .values(status="cancelled", reason=reason[:200], next_at=None, finished_at=now)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]  # an UPDATE's CursorResult


async def edit_notice(
    engine: AsyncEngine,
    notice_id: int,
    *,
    area_code: str,
    area_name: str,
    towns: Sequence[str],
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    kind: str,
    now: datetime,
) -> NoticeChange:
    """Change notice `notice_id` (see the module doc: in place, or replaced under a new id)."""
    town_list = check_notice(area_code, area_name, towns, starts_at, ends_at, reason, kind)
    require_aware(now, "now")
    fields: dict[str, object] = {"area_code": area_code, "area_name": area_name.strip(), "towns": town_list}
    fields |= {"starts_at": starts_at, "ends_at": ends_at, "reason": reason.strip(), "kind": kind}
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        row = await _current(session, notice_id, now)
        before = Notice.of(row)
        if all(getattr(row, f) == fields[f] for f in CALLED_FIELDS):
            for name, value in fields.items():
                setattr(row, name, value)
            await session.flush()
            return NoticeChange(before, Notice.of(row), 0)
        cancelled = await _cancel_calls(session, notice_id, f"notice {notice_id} replaced", now)
        row.cancelled_at = now
        new = OutageNoticeRow(**fields, published_at=now, created_at=now)
        session.add(new)
        await session.flush()
        return NoticeChange(before, Notice.of(new), cancelled)


async def cancel_notice(engine: AsyncEngine, notice_id: int, *, now: datetime) -> NoticeChange:
    """Withdraw notice `notice_id` and the calls it still had to make."""
    require_aware(now, "now")
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        row = await _current(session, notice_id, now)
        before = Notice.of(row)
        cancelled = await _cancel_calls(session, notice_id, f"notice {notice_id} cancelled", now)
        row.cancelled_at = now
    return NoticeChange(before, None, cancelled)
