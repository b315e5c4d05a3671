"""The call detail record: one `calls` row per call, plus an ordered `call_events` log.

Changing the columns, OUTCOMES or DIRECTIONS needs a new migration in `migrations/versions/`
(the check constraints list the allowed values); `test_store_migrations` fails on any drift.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Integer, MetaData, String, Table, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hotline.store.utc_datetime import UTCDateTime

OUTCOMES: tuple[str, ...] = (
    "ivr_only",
    "agent_answered",
    "abandoned_queue",
    "abandoned_ringing",
    "message_left",
    "callback_requested",
    "blocked",
    "failed",
    # inbound, found only in Asterisk's CDR ledger: the fallback dialplan rang the agents (ledger.py)
    "fallback",
    # outbound calls (an agent's own, later the dialer's): what the called party did
    "answered",
    "busy",
    "no_answer",
    "cancelled",
)
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
# whose survey a call's survey_score answers: the menu's survey node (keys 1-3) or the survey
# after the agent (keys 1-5); reports keep the two scales apart
SURVEY_SOURCES: tuple[str, ...] = ("ivr", "agent")
# why a call's recordings are gone (hotline/services/retention.py): the daily job deleted them
# ("retention"), or found none of them on disk any more ("retention_missing")
RECORDING_DELETED_REASONS: tuple[str, ...] = ("retention", "retention_missing")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a check constraint: `column IN (...)` (shared by every table with a value list)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """The `Table` a mapped class is declared on (SQLAlchemy types `__table__` as any FromClause)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a single Table")
    return table


class Call(Base):
    """One call. `outcome` is NULL while the call is in progress."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome"),
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint(one_of("survey_source", SURVEY_SOURCES), name="survey_source"),
        CheckConstraint(
            one_of("recording_deleted_reason", RECORDING_DELETED_REASONS), name="recording_deleted_reason"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uniqueid: Mapped[str] = mapped_column(String(64), unique=True)  # Asterisk's agi_uniqueid
    linkedid: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    trunk: Mapped[str | None] = mapped_column(String(80))
    # verbatim, may hold quotes/newlines; indexed for the console's search by number (0011)
    caller_number: Mapped[str | None] = mapped_column(Text, index=True)
    caller_name: Mapped[str | None] = mapped_column(Text)
    dnid: Mapped[str | None] = mapped_column(String(40), index=True)  # an outbound call's number
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(24), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    ivr_path: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    menu_version: Mapped[str | None] = mapped_column(String(64))
    business_category: Mapped[str | None] = mapped_column(String(40), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queue_wait_s: Mapped[float | None]
    agents_rung: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    ring_time_s: Mapped[float | None]
    agent_id: Mapped[str | None] = mapped_column(String(16), index=True)  # 工号
    agent_extension: Mapped[str | None] = mapped_column(String(16))
    talk_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    talk_s: Mapped[float | None]
    survey_score: Mapped[int | None]
    survey_source: Mapped[str | None] = mapped_column(String(8))  # SURVEY_SOURCES: whose scale
    # the agent's disposition in wrap-up (the web desk): a configured agent category and a note;
    # business_category stays the menu's (the IVR function), reports fall back to it
    agent_category: Mapped[str | None] = mapped_column(String(40), index=True)
    disposition_note: Mapped[str | None] = mapped_column(Text)
    disposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disposed_by: Mapped[str | None] = mapped_column(String(16))  # 工号
    recording_path: Mapped[str | None] = mapped_column(Text)
    message_path: Mapped[str | None] = mapped_column(Text)
    # set when the retention job removed the call's recordings (the paths above stay, as history)
    recording_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recording_deleted_reason: Mapped[str | None] = mapped_column(String(24))

    def __repr__(self) -> str:
        return f"<Call {self.uniqueid} {self.direction} outcome={self.outcome}>"


class CallEvent(Base):
    """A step of a call (menu key, queue entry, agent rung...), in the order it was recorded.

    `call_uniqueid` is deliberately NOT a foreign key to `calls.uniqueid`: the recorder writes
    starts, events and ends in batches, and an event must never be lost (or block a batch)
    because its call row is written later, was written by another process, or is missing.
    """

    __tablename__ = "call_events"
    __table_args__ = (Index("ix_call_events_kind_at", "kind", "at"),)  # report periods (0003)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<CallEvent {self.call_uniqueid} {self.kind} at={self.at.isoformat()}>"
