"""The outbound dialer's tables: jobs (a call to place, retried), attempts (every try), DNC list.

The tables live in the call store's `Base.metadata` (same database, same migrations); the schema
is created by migration 0004_outbound. Changing a column or a value list needs a new migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from acd.dialer import Purpose
from hotline.store.models import Base, one_of
from hotline.store.utc_datetime import UTCDateTime

PURPOSES: tuple[str, ...] = ("followup", "outage_notice", "callback")
JOB_STATUSES: tuple[str, ...] = ("pending", "in_progress", "done", "given_up", "cancelled")
ATTEMPT_RESULTS: tuple[str, ...] = (
    "answered",
    "busy",
    "no_answer",
    "rejected",
    "failed",
    "out_of_window",
    "dnc",
)


class OutboundJobRow(Base):
    """A call the dialer must place: a follow-up, an outage notice or a callback.

    `ref` says what the job is for (work order number, notice id + phone, the callback's call);
    (purpose, ref) is unique, so a repeated "service done" message never schedules twice.
    """

    __tablename__ = "outbound_jobs"
    __table_args__ = (
        CheckConstraint(one_of("purpose", PURPOSES), name="purpose"),
        CheckConstraint(one_of("status", JOB_STATUSES), name="status"),
        UniqueConstraint("purpose", "ref", name="uq_outbound_jobs_purpose_ref"),
        Index("ix_outbound_jobs_status_next_at", "status", "next_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    purpose: Mapped[Purpose] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # pending: when it is due
    max_attempts: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)  # last result / why it ended
    key: Mapped[str | None] = mapped_column(String(4))  # the customer's key when answered
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboundJob {self.id} {self.purpose} {self.number} {self.status}>"


class OutboundAttemptRow(Base):
    """One try of a job: when, what was said (content), what happened, the key pressed."""

    __tablename__ = "outbound_attempts"
    __table_args__ = (
        CheckConstraint(one_of("result", ATTEMPT_RESULTS), name="result"),
        UniqueConstraint("job_id", "attempt", name="uq_outbound_attempts_job_attempt"),
        Index("ix_outbound_attempts_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(16))  # NULL while the call is in progress
    failure_reason: Mapped[str | None] = mapped_column(Text)
    key: Mapped[str | None] = mapped_column(String(4))
    uniqueid: Mapped[str | None] = mapped_column(String(64))  # the answered channel

    def __repr__(self) -> str:
        return f"<OutboundAttempt {self.job_id}#{self.attempt} {self.result}>"


class DncRow(Base):
    """A number that must never be called by the dialer (customer's request, regulator list)."""

    __tablename__ = "dnc_numbers"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
