"""A DateTime column type that always stores UTC and always returns aware UTC datetimes.

PostgreSQL keeps the instant (timestamptz) but SQLite has no time zones: it stores text and hands
back naive datetimes.  `UTCDateTime` converts every bound value to UTC (dropping tzinfo only on
SQLite) and re-attaches UTC to every result, so both backends behave the same.  Naive datetimes
are refused: the store never guesses which zone a timestamp was meant in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def require_aware(value: object, what: str) -> datetime:
    """Return `value` if it is a timezone-aware datetime, else raise with a clear message."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what} must be timezone-aware (e.g. datetime.now(timezone.utc)), got naive {value!r}"
        )
    return value


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = require_aware(value, "timestamp").astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
