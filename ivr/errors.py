"""Errors of the IVR package, all under one root `IvrError` (itself a `core_errors.CoreError`).

`IvrError` is raised as is for an event the core cannot take; a broken menu file is a `MenuError`,
a value the IVR cannot take (a key that is no DTMF key, a number too large to read out) an
`IvrValueError` or `IvrTypeError`. These keep `ValueError` / `TypeError` as a second base, so
callers that catch those still do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core_errors import CoreError


class IvrError(CoreError):
    """The root of the IVR's errors; as is: an event that is illegal in the call's current state
    (the message names both)."""


class MenuError(IvrError, ValueError):
    """The menu file is wrong. `errors` holds every problem, each as `file:line: message`."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class IvrValueError(IvrError, ValueError):
    """A value the IVR cannot take or read out (the message names it)."""


class IvrTypeError(IvrError, TypeError):
    """A value of the wrong type (the message names the type expected)."""


class ErrorList:
    """Collects `file:line: message` errors while a menu is checked; sorted by line at the end."""

    def __init__(self, path: str, line_of: Callable[[tuple[Any, ...]], int]):
        self.path = path
        self._line_of = line_of
        self._items: list[tuple[int, int, str]] = []

    def add(self, loc: tuple[Any, ...], message: str) -> None:
        self._items.append((self._line_of(loc), len(self._items), message))

    def __bool__(self) -> bool:
        return bool(self._items)

    def line(self, loc: tuple[Any, ...]) -> int:
        return self._line_of(loc)

    def raise_if_any(self) -> None:
        if self._items:
            raise MenuError([f"{self.path}:{line}: {msg}" for line, _, msg in sorted(self._items)])
