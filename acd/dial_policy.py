"""What may be dialled out: a list of Asterisk dialplan patterns, and the verdict on a number (pure).

A pattern is written as in extensions.conf after the `_` (the dialplan renders `_9<pattern>`):

    0-9    that digit
    X      any digit 0-9          Z   1-9          N   2-9
    [..]   one digit of a set: digits and ranges, e.g. [2-8], [135], [0-35-9]

Nothing else: no `.` or `!` (any number of digits), no letters but X Z N in capitals, no spaces.
Every pattern therefore matches numbers of one length only (3-20 digits), which is what keeps a
pattern for domestic numbers from also matching a longer international or premium number, and
what lets the dialplan's refusal `_9X.` always be the least specific match (Asterisk picks the
most specific pattern: at the first position where two patterns differ, the smaller set wins,
and `.` is larger than any set).

    policy = DialPolicy(["1[3-9]XXXXXXXXX", "[2-8]XXXXXXX"])
    policy.check("13800001111")        -> None (allowed)
    policy.check("0044201234567")      -> DialRefusal(number, "international", "...")

The reason of a refusal only labels it for people (logs, events); the decision is the patterns'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .rules import AcdError

MIN_DIGITS, MAX_DIGITS = 3, 20
CLASSES = {"X": "0123456789", "Z": "123456789", "N": "23456789"}
REASONS = ("not_a_number", "international", "service_number", "not_allowed")
_SET_BODY = re.compile(r"(?:[0-9](?:-[0-9])?)+")
_DIGITS = re.compile(r"[0-9]+")
# service numbers: 10x/11x/12x of any length (10086, 110, 12345, 1259x SP voice services), other
# short 1xx numbers (160/168 voice information), 95xxx, 96xxx, 400/800: a label for refusals only
_SERVICE = re.compile(r"1[0-2][0-9]{1,10}|1[0-9]{2,7}|9[56][0-9]{3,6}|[48]00[0-9]{7}")

# China, dialled on an outbound line (see README "What may be dialled out"): mobiles, mobiles
# with the trunk prefix 0 (out-of-town mobiles from a fixed line), landlines with their area code
# (local part starting 2-8), local landlines of 7 and 8 digits starting 2-8. Not: 00 international,
# 1xx/95xxx/96xxx service and voice-information numbers, 400/800 numbers.
DEFAULT_PATTERNS: tuple[str, ...] = (
    "1[3-9]XXXXXXXXX",
    "01[3-9]XXXXXXXXX",
    "010[2-8]XXXXXXX",
    "02X[2-8]XXXXXXX",
    "0[3-9]XX[2-8]XXXXXX",
    "0[3-9]XX[2-8]XXXXXXX",
    "[2-8]XXXXXX",
    "[2-8]XXXXXXX",
)


class DialPolicyError(AcdError):
    """A pattern that is not one this policy accepts; the message names it and why."""


@dataclass(frozen=True, slots=True)
class DialRefusal:
    """A number that may not be dialled: `reason` is one of REASONS, `detail` says it in words."""

    number: str
    reason: str
    detail: str


def _set_digits(body: str, pattern: str) -> frozenset[str]:
    if not _SET_BODY.fullmatch(body):
        raise DialPolicyError(
            f"pattern {pattern!r}: [{body}] must list digits or ranges of digits, such as [2-8] or [135]"
        )
    digits: set[str] = set()
    for m in re.finditer(r"([0-9])(?:-([0-9]))?", body):
        lo, hi = m.group(1), m.group(2) or m.group(1)
        if lo > hi:
            raise DialPolicyError(f"pattern {pattern!r}: range {lo}-{hi} runs backwards")
        digits.update(str(d) for d in range(int(lo), int(hi) + 1))
    return frozenset(digits)


def _token(pattern: str, i: int) -> tuple[frozenset[str], int]:
    """The digit set at `pattern[i]` and the index after it."""
    ch = pattern[i]
    if ch.isascii() and ch.isdigit():
        return frozenset(ch), i + 1
    if ch in CLASSES:
        return frozenset(CLASSES[ch]), i + 1
    if ch == "[":
        end = pattern.find("]", i)
        if end < 0:
            raise DialPolicyError(f"pattern {pattern!r}: '[' without its ']'")
        return _set_digits(pattern[i + 1 : end], pattern), end + 1
    if ch in ".!":
        raise DialPolicyError(
            f"pattern {pattern!r}: {ch!r} (any number of digits) is not allowed; "
            "a pattern must give every digit, e.g. 1[3-9]XXXXXXXXX"
        )
    if ch in "xzn":
        raise DialPolicyError(f"pattern {pattern!r}: write {ch.upper()} in capitals")
    if ch == "_" and i == 0:
        raise DialPolicyError(f"pattern {pattern!r}: write it without the leading '_'")
    raise DialPolicyError(f"pattern {pattern!r}: {ch!r} is not a digit, X, Z, N or [set]")


def positions(pattern: str) -> tuple[frozenset[str], ...]:
    """The digits allowed at each position of `pattern`; DialPolicyError for a bad pattern."""
    if not isinstance(pattern, str):
        raise DialPolicyError(f"a pattern must be text, got {type(pattern).__name__}")
    out: list[frozenset[str]] = []
    i = 0
    while i < len(pattern):
        digits, i = _token(pattern, i)
        out.append(digits)
    if not MIN_DIGITS <= len(out) <= MAX_DIGITS:
        raise DialPolicyError(
            f"pattern {pattern!r} stands for {len(out)} digits; a number has {MIN_DIGITS}-{MAX_DIGITS}"
        )
    return tuple(out)


def pattern_regex(pattern: str) -> str:
    """The regular expression (for re.fullmatch) of the numbers `pattern` matches."""
    return "".join(
        next(iter(s)) if len(s) == 1 else "[" + "".join(sorted(s)) + "]" for s in positions(pattern)
    )


class DialPolicy:
    """The allowed patterns, checked once; `check(number)` is the verdict on one number."""

    __slots__ = ("_regex", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        seen: set[str] = set()
        for p in self.patterns:
            if p in seen:
                raise DialPolicyError(f"pattern {p!r} is listed twice")
            seen.add(p)
        regexes = [pattern_regex(p) for p in self.patterns]
        self._regex = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None

    def allows(self, number: str) -> bool:
        return self.check(number) is None

    def check(self, number: str) -> DialRefusal | None:
        """None if `number` (digits only) matches an allowed pattern, else why not."""
        if not _DIGITS.fullmatch(number):
            return DialRefusal(number, "not_a_number", "not a number: only the digits 0-9 can be dialled")
        if self._regex is not None and self._regex.fullmatch(number):
            return None
        if number.startswith("00"):
            return DialRefusal(number, "international", "international number (00): not allowed")
        if _SERVICE.fullmatch(number):
            return DialRefusal(
                number, "service_number", "service, voice-information or 400/800 number: not allowed"
            )
        return DialRefusal(number, "not_allowed", "matches none of the allowed dial patterns")
