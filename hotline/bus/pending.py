"""The bus's bounded in-memory queue of messages (events, dispatch messages) not yet confirmed
by the broker.

`push` never blocks: when the queue is full the oldest message is dropped (and counted), so a
dead broker costs memory up to the bound and nothing else. The sender peeks a batch, publishes
it, then `ack`s by queue position (`Pending.seq`, which rises with every message queued; an
event's own `seq` is in its payload): messages stay queued until the broker confirmed them, so
a connection that dies mid-batch resends them after the reconnect (consumers may see an event
twice and can drop repeats by the event's `seq`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

import structlog

log = structlog.get_logger("bus")


@dataclass(frozen=True, slots=True)
class Pending:
    seq: int
    topic: str
    payload: bytes
    retain: bool
    on_confirmed: Callable[[datetime], None] | None = None  # told when the broker confirmed it


class PendingQueue:
    def __init__(self, max_events: int):
        if max_events < 1:
            raise ValueError(f"the event queue needs room for at least 1 event, got {max_events}")
        self.max_events = max_events
        self.dropped = 0
        self.total = 0  # messages ever queued: the next one is number total + 1
        self._items: deque[Pending] = deque()

    def __len__(self) -> int:
        return len(self._items)

    def push(
        self,
        topic: str,
        payload: bytes,
        retain: bool = False,
        on_confirmed: Callable[[datetime], None] | None = None,
    ) -> bool:
        """Queue a message (the next number); True if the oldest had to be dropped to make room."""
        dropped = len(self._items) >= self.max_events
        if dropped:
            self._items.popleft()
            self.dropped += 1
        self.total += 1
        self._items.append(Pending(self.total, topic, payload, retain, on_confirmed))
        return dropped

    def peek(self, n: int) -> list[Pending]:
        """Up to `n` oldest events, left in the queue."""
        return list(islice(self._items, n))

    def ack(self, last_seq: int) -> None:
        """The broker confirmed every event up to `last_seq`: forget them."""
        while self._items and self._items[0].seq <= last_seq:
            self._items.popleft()


def confirm(batch: list[Pending], at: datetime) -> None:
    """Tell the senders who asked that the broker confirmed their messages (`at`)."""
    for item in batch:
        if item.on_confirmed is None:
            continue
        try:
            item.on_confirmed(at)
        except Exception:  # the sender's bug: logged; the message was delivered all the same
            log.exception("bus.confirm_callback_failed", topic=item.topic)
