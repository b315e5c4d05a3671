"""Caller ID as the dialplan hands it over: base64 AGI arguments, decoded verbatim.

Asterisk writes `agi_callerid` raw into the header block, where a caller ID holding a line
break would split the line; the base64 copy (`BASE64_ENCODE` in dialplan/10-inbound) is exact.
The dialplan encodes "v" + value (BASE64_ENCODE refuses an empty argument); the "v" is dropped here.
"""

from __future__ import annotations

import base64
import binascii

import structlog

log = structlog.get_logger("caller_id")
MAX_LEN = 256


class CallerIdError(ValueError):
    pass


def decode_arg(arg: str) -> str:
    try:
        raw = base64.b64decode(arg.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise CallerIdError(f"caller ID argument is not base64: {arg[:40]!r} ({exc})") from None
    if not raw.startswith(b"v"):
        raise CallerIdError(f"caller ID argument lacks the dialplan's 'v' prefix: {arg[:40]!r}")
    if len(raw) > MAX_LEN + 1:
        raise CallerIdError(f"caller ID of {len(raw) - 1} bytes is longer than {MAX_LEN}")
    return raw[1:].decode("utf-8", "replace")


def caller_from(args: list[str], headers: dict[str, str]) -> tuple[str, str]:
    """(number, name) from the base64 args; the raw headers only if the dialplan sent none."""
    if len(args) >= 2:
        try:
            return decode_arg(args[0]), decode_arg(args[1])
        except CallerIdError as exc:
            log.warning("caller_id.bad_argument", error=str(exc))
    number = headers.get("agi_callerid", "")
    name = headers.get("agi_calleridname", "")
    return ("" if number == "unknown" else number), ("" if name == "unknown" else name)
