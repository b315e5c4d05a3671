"""The daemon's one reading of wall time (pure cores get `now` passed in instead)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
