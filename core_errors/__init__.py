"""The one base of the pure cores' errors (`ivr.IvrError`, `acd.AcdError`, `acd.dialer.DialerError`).

Each core raises only its own root exception (or a subclass of it), so an adapter can contain one
core's failures with `except AcdError` and all of them with `except CoreError`, never with a bare
`except Exception`.
"""

from __future__ import annotations


class CoreError(Exception):
    """A pure core refused an event or an input: the message names what and why."""
