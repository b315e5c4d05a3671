"""Local subscribers to a stream of facts (what the recorder is asked to write, the live events):
each subscriber gets every item, in order, synchronously; a subscriber's error is logged and
never becomes the producer's (a call's) problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import structlog

log = structlog.get_logger()

T = TypeVar("T")


class Fanout(Generic[T]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[Callable[[T], None]] = []

    def add(self, subscriber: Callable[[T], None]) -> None:
        self._subscribers.append(subscriber)

    def remove(self, subscriber: Callable[[T], None]) -> None:
        self._subscribers.remove(subscriber)

    def __call__(self, item: T) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(item)
            except Exception:  # the subscriber's bug: loud, but the producer goes on
                log.exception("fanout.subscriber_failed", stream=self.name, subscriber=repr(subscriber))
