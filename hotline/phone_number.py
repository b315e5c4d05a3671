"""Phone numbers from outside (caller IDs, the CLI, MQTT, CSV imports, the config): one normaliser.

`normalise(text)` keeps the digits of a number written with the usual separators (spaces, '-',
'(', ')', '.'), drops a Chinese country prefix and refuses everything else with PhoneNumberError
naming the input. It never turns junk into another number: the result is the input's digits, less
a prefix that does not change which line rings.

- `+86` / `0086` before a mobile (1[3-9] + 9 digits) or a landline: the mobile, or the landline in
  its national form 0 + area code + number (`+86 10 1234 5678` -> `01012345678`);
- `86` before a mobile, and the trunk prefix `0` before a mobile, are dropped;
- any other digit string of 3-20 digits is kept as it is (`95598`, `0044 20 7946 0000`);
- letters, other symbols, a '+' not followed by 86, empty, too short or too long: refused.

    '+86 138-0000-1111' -> '13800001111'     '(0551) 123-4567' -> '05511234567'
    '138abc0000'        -> PhoneNumberError  ''                -> PhoneNumberError

Pure: no I/O. `same_number` and `vip_priority` compare numbers in this form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SEPARATORS = frozenset(" -().")
MAX_TEXT = 40  # characters of input (digits plus separators) looked at; more is refused
MIN_DIGITS, MAX_DIGITS = 3, 20
MOBILE = re.compile(r"1[3-9][0-9]{9}")
_AREA_NUMBER = r"(?:10|2[0-9]|[3-9][0-9]{2})[0-9]{7,8}"  # area code without the 0, then the number
LANDLINE_NSN = re.compile(_AREA_NUMBER)  # as written after +86
LANDLINE = re.compile("0" + _AREA_NUMBER)  # national form


class PhoneNumberError(ValueError):
    """A phone number that cannot be used as given; the message names the input."""


def _digits(text: str, what: str) -> tuple[bool, str]:
    """(had a leading '+', the digits) of `text`; refuses any character but digits and separators."""
    body = text.strip()
    if not body:
        raise PhoneNumberError(f"{what} {text!r} is empty")
    if len(body) > MAX_TEXT:
        raise PhoneNumberError(f"{what} {text[:MAX_TEXT]!r}... is too long ({len(body)} characters)")
    plus = body.startswith("+")
    if plus:
        body = body[1:]
    for ch in body:
        if not ("0" <= ch <= "9" or ch in SEPARATORS):
            raise PhoneNumberError(
                f"{what} {text!r} has the character {ch!r}: only digits, "
                "spaces, '-', '(', ')', '.' and a leading '+86' are accepted"
            )
    return plus, "".join(ch for ch in body if "0" <= ch <= "9")


def _after_country_code(rest: str, text: str, what: str) -> str:
    """The national form of what follows +86 / 0086."""
    if MOBILE.fullmatch(rest) or LANDLINE.fullmatch(rest):
        return rest  # a mobile, or a landline written with its 0: '+86 (0)10 ...'
    if LANDLINE_NSN.fullmatch(rest):
        return "0" + rest
    raise PhoneNumberError(
        f"{what} {text!r}: after the country code 86 comes neither a mobile "
        "(1[3-9] + 9 digits) nor a landline (area code + 7-8 digits)"
    )


def _mobile_without_prefix(digits: str) -> str | None:
    """The mobile after a country code 86 or a trunk prefix 0, if `digits` is one."""
    for prefix in ("86", "0"):
        if digits.startswith(prefix) and MOBILE.fullmatch(digits[len(prefix) :]):
            return digits[len(prefix) :]
    return None


def normalise(text: str, what: str = "phone number") -> str:
    """The digits of `text` in national form (see the module doc), or PhoneNumberError."""
    if not isinstance(text, str):
        raise PhoneNumberError(f"{what} must be text, got {type(text).__name__}")
    plus, digits = _digits(text, what)
    if plus:
        if not digits.startswith("86"):
            raise PhoneNumberError(
                f"{what} {text!r}: only Chinese numbers (+86) are accepted with "
                "'+'; write other countries with 00"
            )
        number = _after_country_code(digits[2:], text, what)
    elif digits.startswith("0086"):
        number = _after_country_code(digits[4:], text, what)
    else:
        number = _mobile_without_prefix(digits) or digits
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS:
        raise PhoneNumberError(
            f"{what} {text!r} has {len(number)} digits; a phone number has {MIN_DIGITS}-{MAX_DIGITS}"
        )
    return number


def try_normalise(text: str | None) -> str | None:
    """normalise(text), or None for a missing or unusable number (anonymous caller, junk)."""
    if text is None:
        return None
    try:
        return normalise(text)
    except PhoneNumberError:
        return None


def same_number(a: str | None, b: str | None) -> bool:
    """Whether `a` and `b` ring the same line ('13800001111' == '+86 138 0000 1111'); an unusable
    number is nobody's number."""
    na = try_normalise(a)
    return na is not None and na == try_normalise(b)


def vip_priority(caller: str | None, vip_numbers: Iterable[str], priority: int) -> int:
    """`priority` when `caller` is one of `vip_numbers` (in any written form), else 0."""
    number = try_normalise(caller)
    if number is None:
        return 0
    return priority if any(try_normalise(v) == number for v in vip_numbers) else 0


def stored_forms(text: str) -> tuple[str, ...]:
    """The forms the number may have been stored under by older imports (looked up in the
    database): the national form first, and for a mobile also with 0, 86 or 0086 before it.
    Empty for an unusable number."""
    number = try_normalise(text)
    if number is None:
        return ()
    if MOBILE.fullmatch(number):
        return (number, "0" + number, "86" + number, "0086" + number)
    return (number,)


def masked(text: str | None) -> str:
    """A number as the wallboard shows it: `13800000000` -> `138****0000`, the middle hidden
    (a number of 7 digits or fewer keeps only its last two); anything unusable -> 未知号码."""
    number = try_normalise(text)
    if number is None:
        return "未知号码"
    if len(number) <= 7:
        return "*" * (len(number) - 2) + number[-2:]
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
