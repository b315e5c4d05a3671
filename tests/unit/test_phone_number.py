"""The one phone-number normaliser: separators and country prefixes go, junk is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.phone_number import PhoneNumberError, normalise, same_number, stored_forms, vip_priority


@pytest.mark.parametrize(
    "text,number",
    [
        ("13800001111", "13800001111"),
        ("+86 138-0000-1111", "13800001111"),
        ("+8613800001111", "13800001111"),
        ("008613800001111", "13800001111"),
        ("0086 138 0000 1111", "13800001111"),
        ("8613800001111", "13800001111"),
        ("013800001111", "13800001111"),  # trunk prefix 0 before a mobile
        ("(0551) 123-4567", "05511234567"),
        ("0551.1234567", "05511234567"),
        ("+86 10 1234 5678", "01012345678"),  # landline: +86 becomes the trunk 0
        ("+86 (0)10 1234 5678", "01012345678"),
        ("0086 551 1234567", "05511234567"),
        ("95598", "95598"),
        ("110", "110"),
        ("0044 20 7946 0000", "00442079460000"),  # other countries: kept as dialled
        ("  13800001111  ", "13800001111"),
        ("1" * 20, "1" * 20),
    ],
)
def test_numbers_in_the_usual_forms(text, number):
    assert normalise(text) == number


@pytest.mark.parametrize(
    "text,message",
    [
        ("138abc0000", "has the character 'a'"),
        ("1380000111a", "has the character 'a'"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("anonymous", "has the character 'a'"),
        ("138/0000/1111", "has the character '/'"),
        ("１３８００００１１１１", "has the character"),  # full-width digits
        ("+44 20 7946 0000", r"only Chinese numbers \(\+86\)"),
        ("+86 123", "after the country code 86"),
        ("0086", "after the country code 86"),
        ("12", "has 2 digits"),
        ("1" * 21, "has 21 digits"),
        ("1" * 41, "is too long"),
        ("138+0000", "has the character '\\+'"),
    ],
)
def test_junk_is_refused_naming_the_input(text, message):
    with pytest.raises(PhoneNumberError, match=message) as info:
        normalise(text, "caller")
    assert str(info.value).startswith("caller ")
    assert repr(text[:40]) in str(info.value)


def test_same_number_across_written_forms():
    assert same_number("13800001111", "+8613800001111")
    assert same_number("13800001111", "008613800001111")
    assert same_number("138-0000-1111", "013800001111")
    assert not same_number("13800001111", "13800001112")
    assert not same_number("anonymous", "anonymous")  # junk is nobody's number
    assert not same_number(None, None)


def test_vip_priority_matches_any_written_form():
    vips = ["13800001111", "not a number", "0551-1234567"]
    assert vip_priority("+8613800001111", vips, 10) == 10
    assert vip_priority("008613800001111", vips, 10) == 10
    assert vip_priority("05511234567", vips, 7) == 7
    assert vip_priority("13900001111", vips, 10) == 0
    assert vip_priority("", vips, 10) == 0
    assert vip_priority(None, vips, 10) == 0


def test_stored_forms_of_a_mobile_and_of_junk():
    assert stored_forms("+86 138 0000 1111") == (
        "13800001111",
        "013800001111",
        "8613800001111",
        "008613800001111",
    )
    assert stored_forms("0551-1234567") == ("05511234567",)
    assert stored_forms("1380000111a") == ()


PHONE_CHARS = st.sampled_from("0123456789" * 3 + " -().+a#")
phone_like = st.text(PHONE_CHARS, max_size=30) | st.text(max_size=30)
national = st.from_regex(r"1[3-9][0-9]{9}|0(10|2[0-9]|[3-9][0-9]{2})[0-9]{7,8}|[0-9]{3,20}", fullmatch=True)
prefixed = st.builds(lambda p, n: p + n, st.sampled_from(["", "+86 ", "0086", "86", "+86-", "0"]), national)


def _refuses_or_keeps_digits(text: str) -> None:
    try:
        number = normalise(text)
    except PhoneNumberError:
        return
    digits = "".join(c for c in text if "0" <= c <= "9")
    assert number.isascii() and number.isdigit() and 3 <= len(number) <= 20
    # the digits of the input, less a prefix (86, 0086, trunk 0), or with +86/0086 replaced by
    # the trunk 0 (a landline): never other digits
    assert digits.endswith(number) or (
        number[0] == "0"
        and digits.endswith(number[1:])
        and digits[: len(digits) - len(number) + 1] in ("86", "0086")
    )
    assert len(digits) - len(number) in (0, 1, 2, 3, 4)
    assert all(c in "0123456789 -().+" for c in text.strip())


@given(st.one_of(phone_like, prefixed))
def test_never_another_number(text):
    _refuses_or_keeps_digits(text)


@given(st.one_of(phone_like, prefixed))
def test_idempotent_on_its_output(text):
    try:
        number = normalise(text)
    except PhoneNumberError:
        return
    assert normalise(number) == number


@given(national)
def test_a_national_number_is_kept(number):
    result = normalise(number)
    assert result == number or (number.startswith(("86", "0")) and number.endswith(result))
