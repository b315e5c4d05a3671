"""acd.dial_policy: Asterisk patterns as the list of what may be dialled out (pure)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acd.dial_policy import (
    DEFAULT_PATTERNS,
    DialPolicy,
    DialPolicyError,
    DialRefusal,
    pattern_regex,
    positions,
)

DEFAULT = DialPolicy(DEFAULT_PATTERNS)


@pytest.mark.parametrize(
    "number",
    [
        "13800001111",  # China Mobile
        "19912345678",  # China Telecom 199
        "16612345678",  # China Unicom 166
        "013800001111",  # an out-of-town mobile dialled from a fixed line (trunk prefix 0)
        "01062345678",  # Beijing 010 + 8 digits
        "02087654321",  # Guangzhou 020
        "05513123456",  # Hefei 0551 + 7 digits
        "075523456789",  # Shenzhen 0755 + 8 digits
        "6234567",  # local, 7 digits
        "88776655",  # local, 8 digits
    ],
)
def test_domestic_numbers_are_allowed_by_default(number):
    assert DEFAULT.check(number) is None and DEFAULT.allows(number)


@pytest.mark.parametrize(
    "number, reason",
    [
        ("00441234567890", "international"),  # UK
        ("0012125551234", "international"),  # USA
        ("00861380000111", "international"),  # even +86 written as 0086 + 11 digits: 14 digits
        ("16888123", "service_number"),  # 168 voice information (声讯台)
        ("12590123456", "service_number"),  # 1259x SP voice service, 11 digits
        ("110", "service_number"),
        ("12345", "service_number"),
        ("10086", "service_number"),
        ("95598", "service_number"),  # the hotline itself
        ("96123", "service_number"),
        ("4008123123", "service_number"),
        ("8008123123", "service_number"),
        ("02016888123", "not_allowed"),  # voice information dialled with an area code
        ("01012345678", "not_allowed"),  # Beijing, local part starting 1 (a service)
        ("1380000111", "not_allowed"),  # a mobile one digit short
        ("138000011112", "not_allowed"),  # one digit long
        ("5", "not_allowed"),
        ("138-0000-1111", "not_a_number"),
        ("", "not_a_number"),
        ("+8613800001111", "not_a_number"),
        ("1380000111\n1", "not_a_number"),
        ("１３８００００１１１１", "not_a_number"),  # full-width digits
    ],
)
def test_international_premium_and_service_numbers_are_refused_by_default(number, reason):
    refusal = DEFAULT.check(number)
    assert isinstance(refusal, DialRefusal) and refusal.number == number
    assert refusal.reason == reason and refusal.detail


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("1[3-9]X.", r"'\.' \(any number of digits\) is not allowed"),
        ("9X!", r"'!' \(any number of digits\) is not allowed"),
        ("1[3-9]xxxxxxxxx", "write X in capitals"),
        ("_1[3-9]XXXXXXXXX", "without the leading '_'"),
        ("1[9-3]XXXXXXXXX", "range 9-3 runs backwards"),
        ("1[]XXX", r"must list digits or ranges"),
        ("1[a-c]XXX", r"must list digits or ranges"),
        ("1[3-9XXXX", r"'\[' without its '\]'"),
        ("XX", "stands for 2 digits"),
        ("X" * 21, "stands for 21 digits"),
        ("138,0000", r"',' is not a digit"),
        ("1380\n000", r"'\\n' is not a digit"),
        ("13800;1111", r"';' is not a digit"),
        ("1380 0001", r"' ' is not a digit"),
        ("13800${X}", r"'\$' is not a digit"),
        ("١٣٨٠٠٠", r"is not a digit"),  # Arabic-Indic digits
    ],
)
def test_bad_patterns_are_refused_with_the_reason(pattern, message):
    with pytest.raises(DialPolicyError, match=message):
        DialPolicy([pattern])


def test_a_pattern_listed_twice_is_refused_and_an_empty_list_allows_nothing():
    with pytest.raises(DialPolicyError, match="listed twice"):
        DialPolicy(["[2-8]XXXXXXX", "[2-8]XXXXXXX"])
    nothing = DialPolicy([])
    refusal = nothing.check("13800001111")
    assert refusal is not None and refusal.reason == "not_allowed"


def test_pattern_regex_spells_each_position():
    assert pattern_regex("1[3-9]XZN") == "1[3456789][0123456789][123456789][23456789]"
    assert pattern_regex("0[0-35-7]1") == "0[0123567]1"


# -- properties ---------------------------------------------------------------------------------
TOKENS = st.one_of(
    st.sampled_from("0123456789XZN"),
    st.lists(st.integers(0, 9), min_size=1, max_size=4).map(lambda ds: "[" + "".join(map(str, ds)) + "]"),
    st.tuples(st.integers(0, 9), st.integers(0, 9)).map(lambda t: f"[{min(t)}-{max(t)}]"),
)
PATTERNS = st.lists(TOKENS, min_size=3, max_size=20).map("".join)


@given(PATTERNS, st.data())
def test_every_number_a_pattern_spells_is_allowed_and_no_other_length(pattern, data):
    sets = positions(pattern)
    number = "".join(data.draw(st.sampled_from(sorted(s))) for s in sets)
    policy = DialPolicy([pattern])
    assert policy.check(number) is None
    assert policy.check(number + "0") is not None and policy.check(number[:-1]) is not None


@given(PATTERNS, st.text(alphabet="0123456789", min_size=1, max_size=22))
def test_the_regex_agrees_with_the_positions(pattern, number):
    sets = positions(pattern)
    by_position = len(number) == len(sets) and all(d in s for d, s in zip(number, sets, strict=False))
    assert DialPolicy([pattern]).allows(number) == by_position


@given(st.text(max_size=30))
def test_any_text_is_either_refused_or_only_pattern_characters(text):
    """What reaches the dialplan (`exten => _9<pattern>,...`) can hold no separator, no line."""
    try:
        DialPolicy([text])
    except DialPolicyError:
        return
    assert re.fullmatch(r"[0-9XZN\[\]\-]+", text)


@given(st.text(alphabet="0123456789", min_size=1, max_size=18))
def test_no_international_number_is_allowed_by_default(rest):
    refusal = DEFAULT.check("00" + rest)
    assert refusal is not None and refusal.reason == "international"


@given(st.text(alphabet="0123456789", min_size=0, max_size=18))
def test_no_number_starting_with_9_or_a_1_short_number_is_allowed_by_default(rest):
    assert not DEFAULT.allows("9" + rest)  # 95xxx / 96xxx services, and 9 is the line prefix
    if len(rest) != 10:  # a mobile has 11 digits
        assert not DEFAULT.allows("1" + rest)
