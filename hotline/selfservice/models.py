"""Self-service data for the IVR: outage notices by area, and customer accounts (bill queries).

The tables live in the call store's `Base.metadata` (same database, same migrations); the schema
is created by migration 0002_selfservice. Changing a column needs a new migration.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base
from hotline.store.utc_datetime import UTCDateTime

NOTICE_KINDS: tuple[str, ...] = ("planned", "fault")


class OutageNoticeRow(Base):
    """A planned outage (published >= 7 days ahead) or a known fault, for one area; one with a
    `cancelled_at` was withdrawn (or replaced by an edited notice) and is kept as history only."""

    __tablename__ = "outage_notices"
    __table_args__ = (
        CheckConstraint("kind IN ('planned', 'fault')", name="kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_outage_notices_area_code_starts_at", "area_code", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12))
    area_name: Mapped[str] = mapped_column(String(80))
    towns: Mapped[list[str]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # withdrawn or replaced in the console (migration 0010): kept as history, never announced or called
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutageNotice {self.id} {self.kind} area={self.area_code} {self.starts_at.isoformat()}>"


class AccountRow(Base):
    """A customer account as the billing system exports it (imported from CSV)."""

    __tablename__ = "accounts"

    account_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12))
    masked_name: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)  # supply address (optional in the import)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # negative = arrears
    last_bill_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    last_bill_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    last_usage_kwh: Mapped[Decimal] = mapped_column(Numeric(12, 1))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Account {self.account_number} area={self.area_code}>"
