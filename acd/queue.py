"""Waiting calls: higher priority first, then FIFO by the time the caller joined the queue.

One heap per category plus one over all categories (for agents without skills), with lazy
deletion like the idle agents: an entry counts only while its call is still waiting and was not
pushed again since (`epoch`). A call that comes back from an unanswered offer keeps its key, so
it keeps its place. `position()` reads a sorted copy of the category's keys, rebuilt only after
the category changed (announcements for many callers in a row cost O(log n) each).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from .rules import AcdError

ALL = ""
Key = tuple[int, datetime, int]
Entry = tuple[int, datetime, int, int, str]  # (-priority, at, seq, epoch, call_id)


@dataclass(slots=True)
class Call:
    call_id: str
    category: str
    priority: int
    at: datetime  # joined the queue
    seq: int  # arrival order at the core, breaks ties in `at`
    state: str = "unqueued"  # unqueued (inside handle() only) | waiting | ringing | talking
    placed_by: str | None = None  # the agent whose phone placed the call: never offered it
    agent_id: str | None = None  # ringing / talking with this agent
    offered_at: datetime | None = None
    ring_started_at: datetime | None = None  # the session's Dial began (this offer)
    answered_at: datetime | None = None
    offers: int = 0
    epoch: int = 0
    announce_key: str | None = None  # next position announcement, while waiting
    long_wait_key: str | None = None  # the max-wait reminder, until it is given
    long_wait_due: bool = False  # max wait passed while an agent rang: remind when it waits again

    @property
    def key(self) -> Key:
        return (-self.priority, self.at, self.seq)


@dataclass
class CallQueue:
    calls: dict[str, Call] = field(default_factory=dict)  # every call the ACD holds
    _heaps: dict[str, list[Entry]] = field(default_factory=dict)
    _waiting: dict[str, dict[str, Key]] = field(default_factory=dict)
    _sorted: dict[str, list[Key]] = field(default_factory=dict)
    _seq: count[int] = field(default_factory=count)
    _epochs: count[int] = field(default_factory=count)  # global: a reused call id never matches
    total_waiting: int = 0

    def new(self, call_id: str, category: str, priority: int, at: datetime, placed_by: str | None) -> Call:
        if not category:
            raise AcdError(f"call {call_id}: empty category")
        call = Call(call_id, category, priority, at, next(self._seq), placed_by=placed_by)
        self.calls[call_id] = call
        return call

    def wait(self, call: Call) -> None:
        """Put the call (new, or back from an offer) in line with its original key."""
        call.state, call.agent_id, call.epoch = "waiting", None, next(self._epochs)
        waiting = self._waiting.setdefault(call.category, {})
        waiting[call.call_id] = call.key
        self._sorted.pop(call.category, None)
        self.total_waiting += 1
        entry = (*call.key, call.epoch, call.call_id)
        for cat, live in ((call.category, len(waiting)), (ALL, self.total_waiting)):
            heap = self._heaps.setdefault(cat, [])
            heapq.heappush(heap, entry)
            if len(heap) > 2 * live + 32:
                self._heaps[cat] = self._compact(heap)

    def unwait(self, call: Call) -> None:
        """The call stops waiting (offered or gone); its heap entries go stale."""
        del self._waiting[call.category][call.call_id]
        self._sorted.pop(call.category, None)
        self.total_waiting -= 1
        call.state = "unqueued"

    def drop(self, call: Call) -> None:
        if call.state == "waiting":
            self.unwait(call)
        del self.calls[call.call_id]

    def first_for(self, skills: frozenset[str], agent_id: str) -> Call | None:
        """The waiting call to serve next for agent `agent_id` with these skills (empty = all),
        skipping the calls its own phone placed."""
        best: Entry | None = None
        for cat in skills or (ALL,):
            top = self._top(cat)
            if top is not None and self.calls[top[4]].placed_by == agent_id:
                top = self._first_not_from(cat, agent_id)  # rare: scan this heap
            if top is not None and (best is None or top < best):
                best = top
        return None if best is None else self.calls[best[4]]

    def _first_not_from(self, cat: str, agent_id: str) -> Entry | None:
        live = (e for e in self._heaps[cat] if self._valid(e) and self.calls[e[4]].placed_by != agent_id)
        return min(live, default=None)

    def position(self, call: Call) -> int:
        """1-based place among the waiting calls of its category; 0 if not waiting."""
        if call.state != "waiting":
            return 0
        keys = self._sorted.get(call.category)
        if keys is None:
            keys = self._sorted[call.category] = sorted(self._waiting[call.category].values())
        return bisect_left(keys, call.key) + 1

    def waiting_count(self, category: str | None = None) -> int:
        if category is None:
            return self.total_waiting
        return len(self._waiting.get(category, ()))

    def _valid(self, entry: Entry) -> bool:
        call = self.calls.get(entry[4])
        return call is not None and call.state == "waiting" and call.epoch == entry[3]

    def _top(self, cat: str) -> Entry | None:
        heap = self._heaps.get(cat)
        while heap and not self._valid(heap[0]):
            heapq.heappop(heap)
        return heap[0] if heap else None

    def _compact(self, heap: list[Entry]) -> list[Entry]:
        live = [e for e in heap if self._valid(e)]
        heapq.heapify(live)
        return live
