"""Every way an AGI conversation can fail, as exceptions (never result dicts)."""

from __future__ import annotations


class AgiError(Exception):
    """Base class of FastAGI failures."""


class AgiHangup(AgiError):
    """The caller is gone: EOF on the socket, an unsolicited HANGUP line, or 511 on a dead channel."""


class AgiProtocolError(AgiError):
    """Asterisk (or whatever connected) sent bytes that are not the AGI protocol."""


class AgiTimeout(AgiError):
    """Asterisk (or whatever connected) did not answer a command in time."""


class AgiCommandError(AgiError):
    """Asterisk rejected a command (510 unknown, 520 usage) or the command reported failure."""

    def __init__(self, command: str, code: int, message: str):
        self.command = command
        self.code = code
        super().__init__(f"AGI command {command!r} failed: {code} {message}")
