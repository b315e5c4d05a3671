"""Importing accounts from the billing system's CSV export: all rows or none.

Every row is checked first and every bad row is reported with its line number; only a clean
file is written, in one transaction, inserting new accounts and updating existing ones.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.phone_number import PhoneNumberError, normalise
from hotline.selfservice.models import AccountRow
from hotline.selfservice.notices import AREA_CODE
from hotline.store.statements import DialectInsert
from hotline.store.utc_datetime import require_aware

COLUMNS: tuple[str, ...] = (
    "account_number",
    "area_code",
    "masked_name",
    "phone",
    "balance",
    "last_bill_amount",
    "last_bill_month",
    "last_usage_kwh",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("address",)  # the supply address, shown on the agent's screen pop
ADDRESS_MAX = 200
ACCOUNT_NUMBER = re.compile(r"[0-9]{6,20}")
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
PRECISION = 12  # Numeric(12, 2) and Numeric(12, 1)
_INSERTS: dict[str, DialectInsert] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class AccountImportError(ValueError):
    """Every problem of an import file, each as `file:line: message`."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def _decimal(text: str, places: int, *, negative: bool) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a decimal number") from None
    exponent = value.as_tuple().exponent  # a letter for NaN and Infinity
    if not isinstance(exponent, int) or exponent < -places:
        raise ValueError(f"{text!r} is not a number with at most {places} decimals")
    if value < 0 and not negative:
        raise ValueError(f"{text!r} is negative")
    if abs(value) >= Decimal(10) ** (PRECISION - places):
        raise ValueError(f"{text!r} is too large (at most {PRECISION - places} digits before the point)")
    return value


def _row(cells: dict[str, str]) -> dict[str, Any]:
    """One checked row as column values; raises ValueError with every problem of the row."""
    problems: list[str] = []
    out: dict[str, Any] = {}

    def check(column: str, ok: bool, message: str) -> None:
        if ok:
            out[column] = cells[column]
        else:
            problems.append(f"{column}: {message}")

    number, area, name, phone = (cells[c] for c in COLUMNS[:4])
    check("account_number", bool(ACCOUNT_NUMBER.fullmatch(number)), f"{number!r} is not 6-20 digits")
    check("area_code", bool(AREA_CODE.fullmatch(area)), f"{area!r} is not 4-12 digits")
    check("masked_name", 0 < len(name) <= 40, f"{name!r} must be 1-40 characters")
    try:
        out["phone"] = normalise(phone) if phone else None
    except PhoneNumberError as exc:
        problems.append(f"phone: {exc}")
    for column, places, negative in (
        ("balance", 2, True),
        ("last_bill_amount", 2, True),
        ("last_usage_kwh", 1, False),
    ):
        try:
            out[column] = _decimal(cells[column], places, negative=negative)
        except ValueError as exc:
            problems.append(f"{column}: {exc}")
    month = cells["last_bill_month"]
    check("last_bill_month", bool(MONTH.fullmatch(month)), f"{month!r} is not a month YYYY-MM")
    if "address" in cells:
        address = cells["address"]
        printable = address.isprintable() and len(address) <= ADDRESS_MAX
        check("address", printable, f"must be at most {ADDRESS_MAX} printable characters")
        out["address"] = address or None
    if problems:
        raise ValueError("; ".join(problems))
    return out


def parse_accounts(text: str, source: str = "<csv>") -> list[dict[str, Any]]:
    """Checked rows of a CSV text with the COLUMNS header; AccountImportError lists every error."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise AccountImportError(
            [f"{source}:1: the file is empty (expected the header {','.join(COLUMNS)})"]
        ) from None
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL_COLUMNS]
    doubled = sorted({h for h in header if header.count(h) > 1})
    if missing or unknown or doubled:
        parts = (
            ([f"missing column(s) {', '.join(missing)}"] if missing else [])
            + ([f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
            + ([f"repeated column(s) {', '.join(doubled)}"] if doubled else [])
        )
        raise AccountImportError([f"{source}:1: {'; '.join(parts)} (expected {','.join(COLUMNS)})"])
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    start = reader.line_num + 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(header):
                errors.append(f"{source}:{line}: {len(record)} fields, the header has {len(header)}")
                continue
            try:
                row = _row({h: cell.strip() for h, cell in zip(header, record, strict=True)})
            except ValueError as exc:
                errors.append(f"{source}:{line}: {exc}")
                continue
            number = row["account_number"]
            if number in first_line:
                errors.append(f"{source}:{line}: account {number} is already on line {first_line[number]}")
                continue
            first_line[number] = line
            rows.append(row)
    except csv.Error as exc:
        errors.append(f"{source}:{reader.line_num}: not valid CSV ({exc}); the rest is not read")
    if errors:
        raise AccountImportError(errors)
    return rows


def read_accounts_file(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AccountImportError([f"{path}: not UTF-8 text ({exc}); save the CSV as UTF-8"]) from None
    except OSError as exc:
        raise AccountImportError([f"{path}: cannot read it ({exc.strerror or exc})"]) from None
    return parse_accounts(text, str(path))


async def upsert_accounts(engine: AsyncEngine, rows: Sequence[dict[str, Any]], *, now: datetime) -> int:
    """Insert or update the (checked) rows in one transaction; returns how many were written.
    An export without the optional address column leaves the stored addresses as they are."""
    require_aware(now, "now")
    if not rows:
        return 0
    values = [{**row, "updated_at": now} for row in rows]
    dialect = engine.dialect.name
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise RuntimeError(f"accounts import supports SQLite and PostgreSQL, not {dialect}")
    stmt = insert(AccountRow)
    stmt = stmt.on_conflict_do_update(
        index_elements=[AccountRow.account_number],
        set_={c: stmt.excluded[c] for c in (*COLUMNS[1:], *_optional(rows), "updated_at")},
    )
    async with engine.begin() as conn:
        await conn.execute(stmt, values)
    return len(values)


def _optional(rows: Sequence[dict[str, Any]]) -> list[str]:
    return [c for c in OPTIONAL_COLUMNS if c in rows[0]]


async def import_accounts(engine: AsyncEngine, path: Path, *, now: datetime) -> int:
    """Check the whole file, then write it (nothing is written if any row is bad)."""
    return await upsert_accounts(engine, read_accounts_file(path), now=now)
