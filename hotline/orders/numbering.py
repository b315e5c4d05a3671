"""Order numbers: `<prefix><local yyyymmdd><4-digit sequence of the day>`, e.g. GD202611260001.

The sequence starts at 0001 each local day (Asia/Shanghai) and follows the highest number of that
day already stored. Pure; the store looks the highest number up (hotline/orders/writes.py).
"""

from __future__ import annotations

import re
from datetime import date

from hotline.orders.errors import OrderError

SEQUENCE_DIGITS = 4
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1
NUMBER = re.compile(r"[A-Z]{1,6}[0-9]{8}[0-9]{4}")


class OrderNumberError(OrderError):
    """Not an order number, or no number left for the day."""


def day_prefix(prefix: str, day: date) -> str:
    return f"{prefix}{day:%Y%m%d}"


def order_number(prefix: str, day: date, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise OrderNumberError(
            f"order sequence {sequence} of {day.isoformat()} is outside 1..{MAX_SEQUENCE} "
            "(no more numbers for the day)"
        )
    return f"{day_prefix(prefix, day)}{sequence:0{SEQUENCE_DIGITS}d}"


def next_sequence(highest: str | None, prefix_of_day: str) -> int:
    """The sequence after `highest`, the day's highest stored number (None: the day's first)."""
    if highest is None:
        return 1
    tail = highest.removeprefix(prefix_of_day)
    if tail == highest or len(tail) != SEQUENCE_DIGITS or not tail.isdigit():
        raise OrderNumberError(f"stored order number {highest!r} does not continue {prefix_of_day}NNNN")
    return int(tail) + 1


def checked_number(text: str) -> str:
    """An order number as typed (spaces around, lower case) -> its stored form; OrderNumberError
    for anything else (it is looked up, never guessed)."""
    number = text.strip().upper()
    if not NUMBER.fullmatch(number):
        raise OrderNumberError(f"{text.strip()[:40]!r} is not an order number such as GD202611260001")
    return number
