"""Wall time for the daemon and the CLI: `utcnow()` (pure cores get `now` passed in instead)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
