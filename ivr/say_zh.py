"""Mandarin read-out of data: values -> a tuple of prompt ids from prompts/catalog.yaml.

Pure: no I/O, no clock. The FastAGI adapter plays the ids one by one. Choices made here:

- digits (account and phone numbers) are read one by one, 1 as 一 (not 幺), 0 as 零;
- numbers follow the usual zero rules (一千零五, 一万零五十, 一亿零一万) and drop the 一 of a
  leading 十 (十一, 十万) but keep it elsewhere (一百一十); 2 is always 二, never 两;
  negative numbers get `fu` (负) first; a decimal fraction is read 点 + its digits (十二点五);
- amounts: 一千二百三十四元五角六分, 五分, 一元零五分, 十二元 (no 整), 零元; a negative amount
  (arrears) is read with `fu` (负) first; more than two decimals is an error, never rounded;
- dates: the year digit by digit, then month and day as numbers (二零二六年十一月二十三日);
- times: 十四点三十分, 八点零五分, 十四点整 (seconds are not read).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal, InvalidOperation

from .errors import IvrTypeError, IvrValueError
from .events import PlayItem, Say

DIGIT_IDS: tuple[str, ...] = tuple(f"d{i}" for i in range(10))  # 零 一 二 … 九
SHI, BAI, QIAN, WAN, YI = "shi", "bai", "qian", "wan", "yi"  # 十 百 千 万 亿
DIAN = "dian"  # 点 (decimal point)
FU = "fu"  # 负 (minus)
YUAN, JIAO, FEN = "yuan", "jiao", "fen"  # 元 角 分
NIAN, YUE, RI = "nian", "yue", "ri"  # 年 月 日
SHI_DIAN, FEN_ZHONG, ZHENG = "shi_dian", "fen_zhong", "zheng"  # 点 (o'clock) 分 (minutes) 整
DU = "du"  # 度 (kWh), for callers composing a usage read-out

# Every id this module can return (the unit tests check each is in the catalog).
ALL_IDS: frozenset[str] = frozenset(
    (
        *DIGIT_IDS,
        SHI,
        BAI,
        QIAN,
        WAN,
        YI,
        DIAN,
        FU,
        YUAN,
        JIAO,
        FEN,
        NIAN,
        YUE,
        RI,
        SHI_DIAN,
        FEN_ZHONG,
        ZHENG,
        DU,
    )
)

MAX_NUMBER = 10**12 - 1  # 九千九百九十九亿…: the largest integer say_number reads

_PLACES = (QIAN, BAI, SHI, None)  # the units of a 4-digit section, high to low
_SECTION_UNITS = (YI, WAN, None)  # sections of 4 digits: 亿, 万, units


def say_digits(digits: str) -> tuple[str, ...]:
    """'95598' -> 九 五 五 九 八: ASCII digits one by one (account, phone, area numbers)."""
    if not isinstance(digits, str):
        raise IvrTypeError(f"say_digits takes a string of digits, not {type(digits).__name__}")
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise IvrValueError(f"say_digits takes ASCII digits 0-9 only, got {digits!r}")
    return tuple(DIGIT_IDS[int(c)] for c in digits)


def _section(value: int, leading: bool) -> list[str]:
    """0 < value < 10000 with 千百十 and inner zeros; `leading`: first section of the number."""
    out: list[str] = []
    zero_pending = False
    for place, digit in zip(_PLACES, f"{value:04d}", strict=True):
        d = int(digit)
        if d == 0:
            zero_pending = bool(out)  # a zero after something said; leading zeros are silent
            continue
        if zero_pending:
            out.append(DIGIT_IDS[0])
            zero_pending = False
        if not (place == SHI and d == 1 and leading and not out):  # 十一, not 一十一, at the start
            out.append(DIGIT_IDS[d])
        if place is not None:
            out.append(place)
    return out


def say_number(n: int) -> tuple[str, ...]:
    """12305 -> 一万二千三百零五; 0 -> 零; negative -> 负 …; up to MAX_NUMBER."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise IvrTypeError(f"say_number takes an int, not {type(n).__name__} ({n!r})")
    if n < 0:
        return (FU, *say_number(-n))
    if n > MAX_NUMBER:
        raise IvrValueError(f"say_number reads integers up to {MAX_NUMBER}, got {n}")
    if n == 0:
        return (DIGIT_IDS[0],)
    sections = (n // 10**8, n // 10**4 % 10**4, n % 10**4)
    out: list[str] = []
    skipped = False  # a zero section between two said ones: 一亿零一千
    for value, unit in zip(sections, _SECTION_UNITS, strict=True):
        if value == 0:
            skipped = skipped or bool(out)
            continue
        if out and (skipped or value < 1000):
            out.append(DIGIT_IDS[0])
        out += _section(value, leading=not out)
        if unit is not None:
            out.append(unit)
        skipped = False
    return tuple(out)


def _decimal(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise IvrTypeError(f"{what} must be a Decimal, int or numeric string, not {type(value).__name__}")
    try:
        d = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise IvrValueError(f"{what} is not a number: {value!r}") from None
    if not d.is_finite():
        raise IvrValueError(f"{what} must be a finite number, got {value!r}")
    return d


def say_decimal(value: Decimal | int | str) -> tuple[str, ...]:
    """Decimal('123.5') -> 一百二十三点五; trailing zeros of the fraction are not read."""
    d = _decimal(value, "say_decimal value")
    if d < 0:
        return (FU, *say_decimal(-d))
    whole = int(d)
    fraction = format(d - whole, "f").partition(".")[2].rstrip("0")
    return say_number(whole) + ((DIAN, *say_digits(fraction)) if fraction else ())


def say_amount(amount: Decimal | int | str) -> tuple[str, ...]:
    """Yuan: 1234.56 -> …元五角六分, 0.05 -> 五分, 1.05 -> 一元零五分, 12.00 -> 十二元, 0 -> 零元;
    negative (arrears / credit) -> 负 first. More than 2 decimals is an error."""
    d = _decimal(amount, "amount")
    fen_total = d * 100
    if fen_total != fen_total.to_integral_value():
        raise IvrValueError(f"an amount has at most 2 decimals (jiao and fen), got {amount!r}")
    if d < 0:
        return (FU, *say_amount(-d))
    fen_total_int = int(fen_total)
    yuan, jiao, fen = fen_total_int // 100, fen_total_int // 10 % 10, fen_total_int % 10
    out: list[str] = []
    if yuan:
        out += (*say_number(yuan), YUAN)
    if jiao:
        out += (DIGIT_IDS[jiao], JIAO)
    if fen:
        if yuan and not jiao:
            out.append(DIGIT_IDS[0])
        out += (DIGIT_IDS[fen], FEN)
    return tuple(out) if out else (DIGIT_IDS[0], YUAN)


def say_date(d: date) -> tuple[str, ...]:
    """2026-11-23 -> 二零二六年十一月二十三日 (year digit by digit)."""
    if not isinstance(d, date):
        raise IvrTypeError(f"say_date takes a date, not {type(d).__name__}")
    return (*say_digits(f"{d.year:04d}"), NIAN, *say_number(d.month), YUE, *say_number(d.day), RI)


def say_time(t: time) -> tuple[str, ...]:
    """14:30 -> 十四点三十分, 08:05 -> 八点零五分, 14:00 -> 十四点整, 00:10 -> 零点十分."""
    if not isinstance(t, time):
        raise IvrTypeError(f"say_time takes a time, not {type(t).__name__}")
    hour = (*say_number(t.hour), SHI_DIAN)
    if t.minute == 0:
        return (*hour, ZHENG)
    minutes = (DIGIT_IDS[0], DIGIT_IDS[t.minute]) if t.minute < 10 else say_number(t.minute)
    return (*hour, *minutes, FEN_ZHONG)


def _say_value(kind: str, value: str) -> tuple[str, ...]:
    if kind == "digits":
        return say_digits(value)
    if kind == "number":
        return say_decimal(value)
    if kind == "amount":
        return say_amount(value)
    if kind == "date":
        return say_date(date.fromisoformat(value))
    if kind == "time":
        return say_time(time.fromisoformat(value))
    raise IvrValueError(f"unknown Say kind {kind!r}: use digits, number, amount, date or time")


def say(item: Say) -> tuple[str, ...]:
    """One `Say` item as prompt ids; a bad value raises IvrValueError naming the item."""
    if not isinstance(item.value, str):
        raise IvrTypeError(f"{item!r}: a Say value is a string")
    try:
        return _say_value(item.kind, item.value)
    except ValueError as exc:
        raise IvrValueError(f"cannot read out {item!r}: {exc}") from None


def render_items(items: Iterable[PlayItem]) -> tuple[str, ...]:
    """Prompt ids and `Say` items (a Play's or LookupResult's items) -> a flat tuple of ids."""
    out: list[str] = []
    for item in items:
        if isinstance(item, Say):
            out += say(item)
        elif isinstance(item, str) and item:
            out.append(item)
        else:
            raise IvrTypeError(f"a play item is a prompt id or a Say, not {item!r}")
    return tuple(out)


__all__ = [
    "ALL_IDS",
    "MAX_NUMBER",
    "render_items",
    "say",
    "say_amount",
    "say_date",
    "say_decimal",
    "say_digits",
    "say_number",
    "say_time",
]
