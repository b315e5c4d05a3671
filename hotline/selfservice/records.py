"""What the self-service queries hand out: frozen snapshots, detached from any session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hotline.selfservice.models import AccountRow, OutageNoticeRow


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    area_code: str
    area_name: str
    towns: tuple[str, ...]
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    reason: str
    kind: str  # planned | fault
    published_at: datetime
    created_at: datetime
    cancelled_at: datetime | None = None  # withdrawn or replaced (history only)

    @classmethod
    def of(cls, row: OutageNoticeRow) -> Notice:
        return cls(
            row.id,
            row.area_code,
            row.area_name,
            tuple(row.towns),
            row.starts_at,
            row.ends_at,
            row.reason,
            row.kind,
            row.published_at,
            row.created_at,
            row.cancelled_at,
        )

    def in_force(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True, slots=True)
class Account:
    account_number: str
    area_code: str
    masked_name: str
    phone: str | None
    balance: Decimal  # negative = arrears
    last_bill_amount: Decimal
    last_bill_month: str  # YYYY-MM
    last_usage_kwh: Decimal
    updated_at: datetime
    address: str | None = None  # the supply address, when the billing export carries it

    @classmethod
    def of(cls, row: AccountRow) -> Account:
        return cls(
            row.account_number,
            row.area_code,
            row.masked_name,
            row.phone,
            row.balance,
            row.last_bill_amount,
            row.last_bill_month,
            row.last_usage_kwh,
            row.updated_at,
            row.address,
        )
