"""Mandarin read-out: hand-written expectations, and properties against the catalog, a decoder
and a reference implementation written the other way round (naive text + zero-collapsing)."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.events import Say
from ivr.say_zh import (
    ALL_IDS,
    MAX_NUMBER,
    render_items,
    say_amount,
    say_date,
    say_decimal,
    say_digits,
    say_number,
    say_time,
)
from prompts.catalog import load_catalog

CATALOG = load_catalog(company="测试")
CHARS = "零一二三四五六七八九"


def text(ids) -> str:
    return "".join(CATALOG[i] for i in ids)


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "零"),
        (1, "一"),
        (2, "二"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (120, "一百二十"),
        (200, "二百"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1005, "一千零五"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (2020, "二千零二十"),
        (9999, "九千九百九十九"),
        (10000, "一万"),
        (10001, "一万零一"),
        (10010, "一万零一十"),
        (10050, "一万零五十"),
        (10100, "一万零一百"),
        (11000, "一万一千"),
        (12305, "一万二千三百零五"),
        (100000, "十万"),
        (110000, "十一万"),
        (150005, "十五万零五"),
        (1000000, "一百万"),
        (1100000, "一百一十万"),
        (10000000, "一千万"),
        (10001000, "一千万一千"),
        (10000100, "一千万零一百"),
        (100000000, "一亿"),
        (100000001, "一亿零一"),
        (100001000, "一亿零一千"),
        (100010000, "一亿零一万"),
        (110000000, "一亿一千万"),
        (200100000, "二亿零一十万"),
        (1000000000, "十亿"),
        (1000000001, "十亿零一"),
        (MAX_NUMBER, "九千九百九十九亿九千九百九十九万九千九百九十九"),
    ],
)
def test_say_number(n, expected):
    assert text(say_number(n)) == expected


def test_say_number_negative_and_limits():
    assert text(say_number(-15)) == "负十五"
    with pytest.raises(ValueError, match="up to"):
        say_number(MAX_NUMBER + 1)
    with pytest.raises(TypeError, match="int"):
        say_number(1.5)
    with pytest.raises(TypeError, match="not bool"):
        say_number(True)


def test_say_digits_reads_one_as_yi():
    assert say_digits("95598") == ("d9", "d5", "d5", "d9", "d8")
    assert text(say_digits("0101")) == "零一零一"
    for bad in ("", "12a", "１２", "+86", "1 2"):
        with pytest.raises(ValueError, match="ASCII digits"):
            say_digits(bad)


@pytest.mark.parametrize(
    "amount, expected",
    [
        ("1234.56", "一千二百三十四元五角六分"),
        ("0.05", "五分"),
        ("0.5", "五角"),
        ("0.55", "五角五分"),
        ("1.05", "一元零五分"),
        ("1.50", "一元五角"),
        ("12.00", "十二元"),
        ("12", "十二元"),
        ("0", "零元"),
        ("0.00", "零元"),
        ("10.10", "十元一角"),
        ("100000.01", "十万元零一分"),
        ("-100.50", "负一百元五角"),
        ("-0.05", "负五分"),
        ("2.22", "二元二角二分"),
    ],
)
def test_say_amount(amount, expected):
    assert text(say_amount(Decimal(amount))) == expected


def test_say_amount_refuses_what_it_cannot_say_exactly():
    with pytest.raises(ValueError, match="at most 2 decimals"):
        say_amount(Decimal("1.234"))
    for bad in ("abc", "NaN", "Infinity"):
        with pytest.raises(ValueError, match="amount (is not a number|must be a finite number)"):
            say_amount(bad)
    with pytest.raises(TypeError, match="not float"):
        say_amount(1.5)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("123.5", "一百二十三点五"),
        ("123.50", "一百二十三点五"),
        ("0.25", "零点二五"),
        ("10", "十"),
        ("-2.5", "负二点五"),
        ("100.0", "一百"),
    ],
)
def test_say_decimal(value, expected):
    assert text(say_decimal(value)) == expected


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2026, 11, 23), "二零二六年十一月二十三日"),
        (date(2030, 1, 1), "二零三零年一月一日"),
        (date(2025, 10, 10), "二零二五年十月十日"),
        (date(2024, 2, 29), "二零二四年二月二十九日"),
    ],
)
def test_say_date(d, expected):
    assert text(say_date(d)) == expected


@pytest.mark.parametrize(
    "t, expected",
    [
        (time(14, 30), "十四点三十分"),
        (time(14, 0), "十四点整"),
        (time(8, 5), "八点零五分"),
        (time(0, 0), "零点整"),
        (time(0, 10), "零点十分"),
        (time(10, 1), "十点零一分"),
        (time(23, 59, 59), "二十三点五十九分"),
        (time(20, 20), "二十点二十分"),
    ],
)
def test_say_time(t, expected):
    assert text(say_time(t)) == expected


def test_render_items_flattens_prompt_ids_and_say_items():
    items = (
        "bill_balance",
        Say("amount", "-12.30"),
        "bill_usage",
        Say("number", "125.5"),
        "du",
        Say("digits", "0101"),
        Say("date", "2026-11-30"),
        Say("time", "08:00"),
    )
    assert text(render_items(items)) == (
        "您的账户余额为负十二元三角您本期用电量为一百二十五点五度零一零一二零二六年十一月三十日八点整"
    )
    assert render_items([]) == ()


@pytest.mark.parametrize(
    "item, match",
    [
        (Say("amount", "12,00"), "not a number"),
        (Say("date", "2026-13-01"), "month"),
        (Say("time", "25:00"), "hour"),
        (Say("digits", "12#"), "ASCII digits"),
        (Say("colour", "red"), "unknown Say kind"),
    ],
)
def test_render_items_names_the_bad_item(item, match):
    with pytest.raises(ValueError, match=match) as info:
        render_items(["bill_balance", item])
    assert repr(item) in str(info.value)


def test_render_items_refuses_other_types():
    with pytest.raises(TypeError, match="prompt id or a Say"):
        render_items(["bill_balance", 12])


def test_every_id_it_can_say_is_in_the_catalog():
    assert ALL_IDS <= CATALOG.keys()


# ---- properties ------------------------------------------------------------------------------


def decode(s: str) -> int:
    """Test-only parser of a Chinese integer read-out (the inverse of say_number)."""
    sign = -1 if s.startswith("负") else 1
    total = section = digit = 0
    for ch in s.removeprefix("负"):
        if ch in CHARS:
            digit = CHARS.index(ch)
        elif ch in "十百千":
            section += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {s!r}")
    return sign * (total + section + digit)


def reference(n: int) -> str:
    """say_number written the other way: every digit with its unit, then collapse the zeros."""
    if n == 0:
        return "零"
    units = ["", "十", "百", "千", "万", "十", "百", "千", "亿", "十", "百", "千"]
    digits = str(n)
    s = "".join(CHARS[int(c)] + units[len(digits) - 1 - i] for i, c in enumerate(digits))
    s = re.sub("零[十百千]", "零", s)
    s = re.sub("零+", "零", s)
    s = s.replace("零万", "万").replace("零亿", "亿").replace("亿万", "亿零")
    s = re.sub("零+", "零", s).rstrip("零")
    return s[1:] if s.startswith("一十") else s


@given(st.integers(min_value=0, max_value=10**8))
def test_say_number_round_trips_so_it_is_injective(n):
    ids = say_number(n)
    assert set(ids) <= CATALOG.keys()
    assert decode(text(ids)) == n


@given(st.integers(min_value=-MAX_NUMBER, max_value=MAX_NUMBER))
def test_say_number_matches_the_reference(n):
    said = text(say_number(n))
    assert said == ("负" if n < 0 else "") + reference(abs(n))
    assert "零零" not in said and (n == 0 or not said.endswith("零"))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_say_amount_uses_catalog_ids_and_keeps_the_value(amount):
    ids = say_amount(amount)
    assert set(ids) <= CATALOG.keys()
    s = text(ids)
    sign = -1 if s.startswith("负") else 1
    m = re.fullmatch(r"负?(?:(.+)元)?(?:零)?(?:(.)角)?(?:(.)分)?", s)
    assert m, s
    yuan = decode(m.group(1)) if m.group(1) else 0
    jiao = CHARS.index(m.group(2)) if m.group(2) else 0
    fen = CHARS.index(m.group(3)) if m.group(3) else 0
    assert sign * (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100) == amount


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    st.times(),
    st.text(alphabet="0123456789", min_size=1, max_size=20),
)
def test_dates_times_digits_use_catalog_ids(d, t, digits):
    for ids in (
        say_date(d),
        say_time(t),
        say_digits(digits),
        render_items([Say("date", d.isoformat()), Say("time", t.strftime("%H:%M"))]),
    ):
        assert ids and set(ids) <= CATALOG.keys()
    assert text(say_digits(digits)) == "".join(CHARS[int(c)] for c in digits)
