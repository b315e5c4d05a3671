"""The `flagged_numbers` table: numbers an agent flagged as harassing (seed 000 §27).

A row per flag; a supervisor's unflag sets `cleared_at`, so the history stays. A number is
flagged while it has a row with `cleared_at` NULL. The schema is created by migration
0007_agent_desk; changing a column needs a new migration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base
from hotline.store.utc_datetime import UTCDateTime


class FlaggedNumberRow(Base):
    __tablename__ = "flagged_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), index=True)  # national form
    reason: Mapped[str] = mapped_column(Text)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    flagged_by: Mapped[str] = mapped_column(String(64))  # 工号
    call_uniqueid: Mapped[str | None] = mapped_column(String(64))  # the call it was flagged on
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        state = "cleared" if self.cleared_at else "active"
        return f"<FlaggedNumber {self.number} {state}>"
