"""The dialer core's errors, all under one root `DialerError` (a `core_errors.CoreError`).

`DialerError` keeps `ValueError` as a second base, so callers that catch that still do.
"""

from __future__ import annotations

from core_errors import CoreError


class DialerError(CoreError, ValueError):
    """An invalid job or setting, or an event that is illegal in the current state (the message
    names the job, its state and the event)."""


class DialerTypeError(DialerError, TypeError):
    """A value of the wrong type, e.g. a datetime where the calendar takes a date."""
