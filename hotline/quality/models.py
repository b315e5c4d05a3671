"""The quality-check table: one `quality_reviews` row per call drawn for review in a week.

The table lives in the call store's `Base.metadata` (same database, same migrations); the schema
is created by migration 0011. A week's rows are written once, when the week is drawn; a review
fills in reviewer, reviewed_at, scores, total and comment (a later review of the same call
replaces them; the audit log keeps every change).

`scores` holds the checklist as it was when the call was scored, each item with its points:
[{"id": "greeting", "label": "问候语规范", "max": 15, "points": 12}, ...], so a later change of
`quality.checklist` does not change what old scores meant. `call_uniqueid` is not a foreign key
(like call_events': the call row is the recorder's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base
from hotline.store.utc_datetime import UTCDateTime

WEEK_LEN = 8  # ISO week as "2026-W48"
REVIEWER_MAX = 64
COMMENT_MAX = 500


class QualityReviewRow(Base):
    __tablename__ = "quality_reviews"
    __table_args__ = (
        UniqueConstraint("week", "call_uniqueid", name="uq_quality_reviews_week_call_uniqueid"),
        Index("ix_quality_reviews_week_agent_id", "week", "agent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[str] = mapped_column(String(WEEK_LEN))
    call_uniqueid: Mapped[str] = mapped_column(String(64), index=True)
    agent_id: Mapped[str] = mapped_column(String(16))  # the 工号 who answered the call
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewer: Mapped[str | None] = mapped_column(String(REVIEWER_MAX))  # console user name
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scores: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    total: Mapped[int | None] = mapped_column(Integer)
    max_total: Mapped[int | None] = mapped_column(Integer)  # the checklist's maximum when scored
    comment: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<QualityReview {self.week} {self.call_uniqueid} agent={self.agent_id} total={self.total}>"
