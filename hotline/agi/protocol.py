"""The FastAGI wire format in one place: argument quoting, command lines, reply parsing.

Every AGI command line the daemon sends is built by `command_line`; every argument goes through
`quote`, so outside data (caller ID, digits, YAML text) can never end a line early and smuggle a
second command into the socket.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import AgiProtocolError

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

    @property
    def digit(self) -> str | None:
        """For STREAM FILE / WAIT FOR DIGIT: the key pressed, or None on timeout/no key."""
        return chr(self.result) if self.result > 0 else None


_REPLY = re.compile(rb"^(\d{3})([ -])(.*)$", re.S)
_RESULT = re.compile(r"^result=(-?\d+)(?: \((.*)\))?(?: (.*))?$", re.S)


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


def parse_headers(block: bytes) -> dict[str, str]:
    """The `agi_name: value` block Asterisk sends first; lines without a name are ignored."""
    headers: dict[str, str] = {}
    for raw in block.split(b"\n"):
        line = raw.rstrip(b"\r").decode("utf-8", "replace")
        if not line:
            continue
        name, sep, value = line.partition(": ")
        if sep and name.startswith("agi_") and name.isascii() and " " not in name:
            headers[name] = value
    if "agi_network_script" not in headers and "agi_request" not in headers:
        raise AgiProtocolError("AGI header block without agi_request / agi_network_script")
    return headers
