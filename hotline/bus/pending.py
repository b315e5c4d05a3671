"""The bus's bounded in-memory queue of events not yet confirmed by the broker.

`push` never blocks: when the queue is full the oldest event is dropped (and counted), so a
dead broker costs memory up to the bound and nothing else. The sender peeks a batch, publishes
it, then `ack`s by sequence number: events stay queued until the broker confirmed them, so a
connection that dies mid-batch resends them after the reconnect (consumers may see an event
twice and can drop repeats by `seq`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import islice


@dataclass(frozen=True, slots=True)
class Pending:
    seq: int
    topic: str
    payload: bytes
    retain: bool


class PendingQueue:
    def __init__(self, max_events: int):
        if max_events < 1:
            raise ValueError(f"the event queue needs room for at least 1 event, got {max_events}")
        self.max_events = max_events
        self.dropped = 0
        self._items: deque[Pending] = deque()

    def __len__(self) -> int:
        return len(self._items)

    def push(self, item: Pending) -> bool:
        """Queue `item`; returns True if the oldest event had to be dropped to make room."""
        dropped = len(self._items) >= self.max_events
        if dropped:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        return dropped

    def peek(self, n: int) -> list[Pending]:
        """Up to `n` oldest events, left in the queue."""
        return list(islice(self._items, n))

    def ack(self, last_seq: int) -> None:
        """The broker confirmed every event up to `last_seq`: forget them."""
        while self._items and self._items[0].seq <= last_seq:
            self._items.popleft()
