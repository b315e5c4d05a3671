"""Errors of the IVR package: a broken menu file, and an event the core cannot take."""

from __future__ import annotations


class MenuError(ValueError):
    """The menu file is wrong. `errors` holds every problem, each as `file:line: message`."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


class IvrError(RuntimeError):
    """An event that is illegal in the call's current state (the message names both)."""


class ErrorList:
    """Collects `file:line: message` errors while a menu is checked; sorted by line at the end."""

    def __init__(self, path: str, line_of):
        self.path = path
        self._line_of = line_of
        self._items: list[tuple[int, int, str]] = []

    def add(self, loc: tuple, message: str) -> None:
        self._items.append((self._line_of(loc), len(self._items), message))

    def __bool__(self) -> bool:
        return bool(self._items)

    def line(self, loc: tuple) -> int:
        return self._line_of(loc)

    def raise_if_any(self) -> None:
        if self._items:
            raise MenuError([f"{self.path}:{line}: {msg}" for line, _, msg in sorted(self._items)])
