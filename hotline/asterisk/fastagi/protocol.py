"""The FastAGI wire format in one place: argument quoting, command lines, reply parsing.

Every AGI command line the daemon sends is built by `command_line`; every argument goes through
`quote`, so outside data (caller ID, digits, YAML text) can never end a line early and smuggle a
second command into the socket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.asterisk.fastagi.errors import AgiProtocolError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"[A-Za-z][A-Za-z ]*")


def quote(value: object) -> str:
    """One AGI argument, double-quoted for Asterisk's parser.

    Asterisk splits a command line on spaces outside quotes and takes the character after a
    backslash literally. A line break cannot be escaped at all (Asterisk reads one line per
    command), so control characters are replaced by a space.
    """
    text = _CONTROL.sub(" ", str(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_VERBS: set[str] = set()


def command_line(verb: str, *args: object) -> bytes:
    """`verb` is the daemon's own constant (e.g. "STREAM FILE"); args are always quoted."""
    if verb not in _VERBS:
        if not _WORD.fullmatch(verb) or verb != verb.upper():
            raise ValueError(f"AGI verb must be plain upper-case words, got {verb!r}")
        _VERBS.add(verb)
    if not args:
        return (verb + "\n").encode()
    return (verb + " " + " ".join(quote(a) for a in args) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class Reply:
    """A parsed `200 result=N (data) key=value` line."""

    code: int
    result: int
    data: str | None
    extra: str

    def number(self, name: str) -> int | None:
        """An integer `name=N` after the result (RECORD FILE's `endpos`), None if absent;
        AgiProtocolError if it is there but not a number."""
        for part in self.extra.split():
            if part.startswith(name + "="):
                value = part.removeprefix(name + "=")
                if not re.fullmatch(r"-?[0-9]{1,12}", value):
                    raise AgiProtocolError(f"{name}={value[:20]!r} is not a number")
                return int(value)
        return None


_REPLY = re.compile(rb"^(\d{3})([ -])(.*)$", re.S)
_RESULT = re.compile(r"^result=(-?\d{1,10})(?: \((.*)\))?(?: (.*))?$", re.S)


def parse_status(line: bytes) -> tuple[int, bool, str]:
    """Split a reply line into (code, is_continuation, rest). Raises AgiProtocolError."""
    m = _REPLY.match(line.rstrip(b"\r\n"))
    if m is None:
        raise AgiProtocolError(f"not an AGI reply line: {line[:80]!r}")
    return int(m.group(1)), m.group(2) == b"-", m.group(3).decode("utf-8", "replace")


def parse_result(rest: str) -> tuple[int, str | None, str]:
    m = _RESULT.match(rest)
    if m is None:
        raise AgiProtocolError(f"200 reply without a result: {rest[:80]!r}")
    return int(m.group(1)), m.group(2), (m.group(3) or "")


# Asterisk writes the header block in a fixed order (res_agi.c, setup_env). The values of the keys
# between agi_callerid and agi_extension come from the caller (number, name, dialled number...)
# and Asterisk writes them raw, so a caller ID holding a line break can add lines that look like
# headers. Only the keys Asterisk writes BEFORE agi_callerid (read forwards) and the ones it writes
# AFTER agi_extension (read backwards from the end) are taken as Asterisk's own.
HEAD_KEYS = frozenset(
    {
        "agi_network",
        "agi_network_script",
        "agi_request",
        "agi_channel",
        "agi_language",
        "agi_type",
        "agi_uniqueid",
        "agi_version",
    }
)
TAIL_KEYS = frozenset({"agi_priority", "agi_enhanced", "agi_accountcode", "agi_threadid"})
_ARG = re.compile(r"agi_arg_[1-9][0-9]{0,2}")
_KEY = re.compile(r"agi_[a-z0-9_]{1,40}")


@dataclass(frozen=True, slots=True)
class Headers:
    """The parsed block: `values` by name, and the lines that could only have come from
    caller-controlled text (a repeated or out-of-place `agi_*` line, or a line without a name)."""

    values: dict[str, str]
    injected: tuple[str, ...]


def _split(block: bytes) -> list[tuple[str | None, str]]:
    """(key, value) per line; key None for a line that is not `agi_name: value`."""
    out: list[tuple[str | None, str]] = []
    for raw in block.split(b"\n"):
        line = raw.rstrip(b"\r").decode("utf-8", "replace")
        if not line:
            continue
        name, sep, value = line.partition(": ")
        out.append((name, value) if sep and _KEY.fullmatch(name) else (None, line))
    return out


def _tail(lines: list[tuple[str | None, str]], stop: int) -> tuple[dict[str, str], int]:
    """Read backwards: agi_arg_N .. agi_arg_1, then the fixed keys after agi_extension."""
    tail: dict[str, str] = {}
    i = len(lines)
    while i > stop:
        key, value = lines[i - 1]
        if key is None or key in tail or not (_ARG.fullmatch(key) or key in TAIL_KEYS):
            break
        if _ARG.fullmatch(key) and any(k in tail for k in TAIL_KEYS):
            break  # arguments come last: one before agi_threadid is not Asterisk's
        tail[key] = value
        i -= 1
    return tail, i


def parse_header_block(block: bytes) -> Headers:
    """The `agi_name: value` block Asterisk sends first. Raises AgiProtocolError if it is not one.

    Routing (`agi_network_script`), the call's id (`agi_uniqueid`), the channel and the dialplan's
    arguments are taken only from where Asterisk itself writes them; caller-controlled values may
    hold extra lines, which are kept with the value they came in (and reported in `injected`).
    """
    lines = _split(block)
    values: dict[str, str] = {}
    injected: list[str] = []
    i = 0
    while i < len(lines) and lines[i][0] != "agi_callerid":  # the head, forwards
        key, value = lines[i]
        if key is not None and key not in values:
            values[key] = value
        else:
            injected.append(value if key is None else f"{key}: {value}")
        i += 1
    tail, tail_start = _tail(lines, i)
    current = None
    for key, value in lines[i:tail_start]:  # the caller-controlled middle
        if (
            key is not None
            and key not in values
            and key not in HEAD_KEYS
            and key not in tail
            and not _ARG.fullmatch(key)
        ):
            values[key] = value
            current = key
            continue
        text = value if key is None else f"{key}: {value}"
        injected.append(text)
        if current is not None:
            values[current] += "\n" + text  # the caller's text, as the caller sent it
    values.update(tail)
    if "agi_network_script" not in values and "agi_request" not in values:
        raise AgiProtocolError("AGI header block without agi_request / agi_network_script")
    if not values.get("agi_uniqueid"):
        raise AgiProtocolError("AGI header block without agi_uniqueid")
    return Headers(values, tuple(injected))


def parse_headers(block: bytes) -> dict[str, str]:
    """`parse_header_block(block).values`."""
    return parse_header_block(block).values
