"""Check column values when they are handed to the recorder, not when the batch is written.

A value the database would refuse (unknown column, naive datetime, too long for its column,
text PostgreSQL cannot store...) must raise at the caller: once queued, a bad item would make
every retry of its batch fail.
"""
from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Table

from hotline.store.models import DIRECTIONS, OUTCOMES
from hotline.store.utc_datetime import UTCDateTime, require_aware

ALLOWED_VALUES: dict[str, tuple[str, ...]] = {"outcome": OUTCOMES, "direction": DIRECTIONS}


def _check_text(value: Any, what: str, max_len: int | None) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if max_len is not None and len(value) > max_len:
        raise ValueError(f"{what} is {len(value)} characters long, the column holds at most {max_len}")
    if "\x00" in value:
        raise ValueError(f"{what} contains a NUL character, which PostgreSQL text cannot store")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} is not valid Unicode text: {exc}") from exc
    return value


def _check_number(value: Any, what: str, kinds: tuple[type, ...]) -> Any:
    if isinstance(value, bool) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"{what} must be {names}, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return value


def _json_copy(value: Any, what: str) -> Any:
    """A deep copy through JSON: proves it is storable and detaches it from the caller."""
    try:
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} is not JSON-serialisable: {exc}") from exc


def check_value(table: Table, name: str, value: Any) -> Any:
    """Return `value` ready to be written to `table.name`, or raise ValueError/TypeError."""
    column = table.columns.get(name)
    what = f"{table.name}.{name}"
    if column is None or column.primary_key:
        known = ", ".join(c.name for c in table.columns if not c.primary_key)
        raise ValueError(f"unknown field {name!r} for {table.name} (known: {known})")
    if value is None:
        if not column.nullable:
            raise ValueError(f"{what} must not be None")
        return None
    allowed = ALLOWED_VALUES.get(name) if table.name == "calls" else None
    if allowed is not None and value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return require_aware(value, what)
    if isinstance(kind, String):  # Text is a String without length
        return _check_text(value, what, kind.length)
    if isinstance(kind, Integer):
        return _check_number(value, what, (int,))
    if isinstance(kind, Float):
        return _check_number(value, what, (int, float))
    if isinstance(kind, JSON):
        return _json_copy(value, what)
    raise TypeError(f"{what}: no validation rule for column type {kind!r}")


def check_values(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Validate every item of `values` (see `check_value`); returns a checked copy."""
    return {name: check_value(table, name, value) for name, value in values.items()}
