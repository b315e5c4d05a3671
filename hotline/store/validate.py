"""Check column values when they are handed to the recorder, not when the batch is written.

A value the database would refuse (unknown column, naive datetime, too long for its column,
text PostgreSQL cannot store...) must raise at the caller: once queued, a bad item would make
every retry of its batch fail.

The recorder checks ~20 values per call on the hot path, so each column's check is built once
per table (`checker(table)`) from the column's type, length, nullability and allowed values.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import JSON, Column, Float, Integer, String, Table

from hotline.store.models import DIRECTIONS, OUTCOMES, SURVEY_SOURCES
from hotline.store.utc_datetime import UTCDateTime, require_aware

ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "outcome": OUTCOMES,
    "direction": DIRECTIONS,
    "survey_source": SURVEY_SOURCES,
}

Check = Callable[[Any], Any]
# one encoder, built once: json.dumps() with options builds a new JSONEncoder on every call
_ENCODE = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_DECODE = json.JSONDecoder().decode


def _flat(value: Any) -> bool:
    """A value a JSON round trip gives back unchanged: None, text, a boolean, a 64-bit int."""
    cls = value.__class__
    return value is None or cls is str or cls is bool or (cls is int and -(2**63) <= value < 2**63)


def _text_check(what: str, max_len: int | None) -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{what} must be a str, got {type(value).__name__}")
        if max_len is not None and len(value) > max_len:
            raise ValueError(f"{what} is {len(value)} characters long, the column holds at most {max_len}")
        if "\x00" in value:
            raise ValueError(f"{what} contains a NUL character, which PostgreSQL text cannot store")
        if not value.isascii():  # only non-ASCII text can hold lone surrogates
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(f"{what} is not valid Unicode text: {exc}") from exc
        return value

    return check


def _number_check(what: str, kinds: tuple[type, ...]) -> Check:
    names = " or ".join(k.__name__ for k in kinds)

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise TypeError(f"{what} must be {names}, got {type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{what} must be a finite number, got {value!r}")
        return value

    return check


def _json_check(what: str) -> Check:
    def check(value: Any) -> Any:
        """A deep copy through JSON: proves it is storable and detaches it from the caller."""
        try:
            return _DECODE(_ENCODE(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{what} is not JSON-serialisable: {exc}") from exc

    return check


def _datetime_check(what: str) -> Check:
    def check(value: Any) -> Any:
        return require_aware(value, what)

    return check


def _type_check(column: Column[Any], what: str) -> Check:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _datetime_check(what)
    if isinstance(kind, String):  # Text is a String without length
        return _text_check(what, kind.length)
    if isinstance(kind, Integer):
        return _number_check(what, (int,))
    if isinstance(kind, Float):
        return _number_check(what, (int, float))
    if isinstance(kind, JSON):
        return _json_check(what)
    raise TypeError(f"{what}: no validation rule for column type {kind!r}")


def _reference_check(table: Table, column: Column[Any]) -> Check:
    """The full check, in order: None, allowed values, then the column type's rule."""
    what = f"{table.name}.{column.name}"
    nullable = bool(column.nullable)
    allowed = ALLOWED_VALUES.get(column.name) if table.name == "calls" else None
    by_type = _type_check(column, what)

    def check(value: Any) -> Any:
        if value is None:
            if not nullable:
                raise ValueError(f"{what} must not be None")
            return None
        if allowed is not None and value not in allowed:
            raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
        return by_type(value)

    return check


def _column_check(table: Table, column: Column[Any]) -> Check:
    """`_reference_check`, preceded by a shortcut that only ever accepts: the usual value of the
    usual type that passes every rule is returned at once; anything else (None, another type, a
    value to refuse) goes through the reference check, so errors and their order are unchanged."""
    reference = _reference_check(table, column)
    kind = column.type
    listed = ALLOWED_VALUES.get(column.name) if table.name == "calls" else None
    if listed is not None and not isinstance(kind, String):
        return reference
    if isinstance(kind, UTCDateTime):

        def check(value: Any) -> Any:
            if value.__class__ is datetime and value.utcoffset() is not None:
                return value
            return reference(value)
    elif isinstance(kind, String):
        limit = kind.length if kind.length is not None else sys.maxsize
        allowed = frozenset(listed) if listed is not None else None

        def check(value: Any) -> Any:
            if (
                value.__class__ is str
                and len(value) <= limit
                and value.isascii()
                and "\x00" not in value
                and (allowed is None or value in allowed)
            ):
                return value
            return reference(value)
    elif isinstance(kind, Integer):

        def check(value: Any) -> Any:
            return value if value.__class__ is int else reference(value)
    elif isinstance(kind, Float):

        def check(value: Any) -> Any:
            cls = value.__class__
            if cls is int or (cls is float and math.isfinite(value)):
                return value
            return reference(value)
    elif isinstance(kind, JSON):

        def check(value: Any) -> Any:
            if value.__class__ is dict and all(k.__class__ is str and _flat(v) for k, v in value.items()):
                return dict(value)  # what the JSON round trip gives back for a flat dict: a copy
            return reference(value)
    else:
        return reference
    return check


class TableChecker:
    """The checks of every writable (non primary key) column of one table, built once."""

    __slots__ = ("_checks", "_known", "_table_name")

    def __init__(self, table: Table, *, shortcuts: bool = True) -> None:
        self._table_name = table.name
        build = _column_check if shortcuts else _reference_check
        self._checks: dict[str, Check] = {c.name: build(table, c) for c in table.columns if not c.primary_key}
        self._known = ", ".join(self._checks)

    def _unknown(self, name: str) -> ValueError:
        return ValueError(f"unknown field {name!r} for {self._table_name} (known: {self._known})")

    def value(self, name: str, value: Any) -> Any:
        check = self._checks.get(name)
        if check is None:
            raise self._unknown(name)
        return check(value)

    def values(self, values: dict[str, Any]) -> dict[str, Any]:
        checks = self._checks
        out: dict[str, Any] = {}
        for name, value in values.items():
            check = checks.get(name)
            if check is None:
                raise self._unknown(name)
            out[name] = check(value)
        return out


@cache
def checker(table: Table) -> TableChecker:
    """The (cached) checker of `table`: build it once, call it per value."""
    return TableChecker(table)


def check_value(table: Table, name: str, value: Any) -> Any:
    """Return `value` ready to be written to `table.name`, or raise ValueError/TypeError."""
    return checker(table).value(name, value)


def check_values(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Validate every item of `values` (see `check_value`); returns a checked copy."""
    return checker(table).values(values)
