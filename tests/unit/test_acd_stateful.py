"""ACD core invariants over random event sequences (hypothesis stateful testing).

No agent is offered two calls at once, no call is offered to two agents at once, FIFO within a
priority (the offered call is the first waiting call of its category), nobody waits while an
offerable agent could serve them, every call ends in exactly one outcome, illegal events raise
exactly when the rules table says so and change nothing, timers are started before they are
cancelled.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from acd.agents import AgentSpec
from acd.commands import AnnounceLongWait, AnnouncePosition, CallOutcome, CancelTimer, Offer, StartTimer
from acd.core import AcdCore
from acd.events import (
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentRegistered,
    AgentResume,
    CallEnded,
    CallLeft,
    CallQueued,
    OfferAnswered,
    OfferBusy,
    OfferNoAnswer,
    OfferUnavailable,
    RingStarted,
    TimerFired,
    WrapUpDone,
)
from acd.rules import AGENT_RULES, AcdError
from acd.settings import AcdSettings

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
AGENTS = [
    AgentSpec("a1", "801"),
    AgentSpec("a2", "802", frozenset({"fault"})),
    AgentSpec("a3", "803", frozenset({"bill"})),
    AgentSpec("a4", "804", frozenset({"fault", "bill"})),
]
AGENT_EVENTS = {
    "login": AgentLogin,
    "logout": AgentLogout,
    "resume": AgentResume,
    "wrap_done": WrapUpDone,
    "pause": lambda a: AgentPause(a, "lunch"),
    "register": lambda a: AgentRegistered(a, True),
    "unregister": lambda a: AgentRegistered(a, False),
}


def pick(items, i):
    items = sorted(items)
    return items[i % len(items)]


class AcdMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.core = AcdCore(AGENTS, AcdSettings(wrap_up_s=10, busy_backoff_s=5))
        self.now = T0
        self.calls: dict[str, tuple] = {}  # call id -> (category, key)
        self.waiting: set[str] = set()
        self.offers: dict[str, str] = {}  # call -> agent, while it rings
        self.talking: dict[str, str] = {}
        self.timers: dict[str, datetime] = {}
        self.outcomes: Counter[str] = Counter()
        self.placed_by: dict[str, str] = {}  # call -> the agent whose phone placed it

    # --- driving the core and checking each command ----------------------------------------

    def send(self, event, before_out=lambda: None):
        out = self.core.handle(event, self.now)
        before_out()
        for cmd in out:
            if isinstance(cmd, Offer):
                self.check_offer(cmd)
            elif isinstance(cmd, AnnouncePosition | AnnounceLongWait):
                assert cmd.call_id in self.waiting, f"announcement for {cmd.call_id}, not waiting"
            elif isinstance(cmd, StartTimer):
                assert cmd.key not in self.timers and cmd.at >= self.now
                self.timers[cmd.key] = cmd.at
            elif isinstance(cmd, CancelTimer):
                del self.timers[cmd.key]
            elif isinstance(cmd, CallOutcome):
                self.outcomes[cmd.call_id] += 1
                assert self.outcomes[cmd.call_id] == 1, f"second outcome for {cmd.call_id}"
        return out

    def check_offer(self, offer: Offer) -> None:
        assert offer.call_id not in self.offers, f"{offer.call_id} offered to two agents"
        assert offer.agent_id not in self.offers.values(), f"{offer.agent_id} offered two calls"
        assert offer.call_id in self.waiting
        assert offer.agent_id != self.placed_by.get(offer.call_id), "offered to its own caller"
        category, key = self.calls[offer.call_id]
        ahead = [
            c
            for c in self.waiting
            if self.calls[c][0] == category
            and self.calls[c][1] < key
            and self.placed_by.get(c) != offer.agent_id
        ]
        assert ahead == [], f"{offer.call_id} offered before {ahead} (FIFO / priority)"
        spec = next(s for s in AGENTS if s.agent_id == offer.agent_id)
        assert not spec.skills or category in spec.skills
        assert offer.late == ((self.now - key[1]).total_seconds() > 12)
        self.waiting.discard(offer.call_id)
        self.offers[offer.call_id] = offer.agent_id

    def fingerprint(self):
        return (
            self.core.snapshot(),
            dict(self.core.timers.active),
            self.core.waiting_count(),
            [self.core.agent(s.agent_id) for s in AGENTS],
        )

    # --- rules -------------------------------------------------------------------------------

    @rule(dt=st.floats(0, 20))
    def tick(self, dt):
        self.now += timedelta(seconds=dt)

    @rule(i=st.integers(0, 3), kind=st.sampled_from(sorted(AGENT_EVENTS)))
    def agent_event(self, i, kind):
        agent = AGENTS[i].agent_id
        event = AGENT_EVENTS[kind](agent)
        legal = (self.core.agent(agent).state, type(event).__name__) in AGENT_RULES
        before = self.fingerprint()
        try:
            self.send(event)
        except AcdError as e:
            assert not legal, f"legal {event!r} refused: {e}"
            assert agent in str(e) and type(event).__name__ in str(e)
            assert self.fingerprint() == before
        else:
            assert legal, f"illegal {event!r} accepted"

    @rule(
        category=st.sampled_from(["fault", "bill"]),
        priority=st.integers(0, 1),
        joined_ago=st.sampled_from([0, 0, 1.5, 30]),
        from_agent=st.sampled_from([None, None, None, "a1", "a2"]),
    )
    def call_arrives(self, category, priority, joined_ago, from_agent):
        call_id = f"c{len(self.calls)}"
        joined = self.now - timedelta(seconds=joined_ago)
        self.calls[call_id] = (category, (-priority, joined, len(self.calls)))
        self.waiting.add(call_id)
        if from_agent:
            self.placed_by[call_id] = from_agent
        self.send(CallQueued(call_id, category, priority, joined, from_agent))

    @precondition(lambda self: self.offers)
    @rule(i=st.integers(0, 99))
    def dial_starts(self, i):
        call_id = pick(self.offers, i)
        self.send(RingStarted(call_id, self.offers[call_id]))

    @precondition(lambda self: self.waiting or self.offers)
    @rule(i=st.integers(0, 99), reason=st.sampled_from(["hangup", "hangup", "message", "callback"]))
    def caller_leaves(self, i, reason):
        call_id = pick(self.waiting | set(self.offers), i)
        self.waiting.discard(call_id)
        self.send(CallLeft(call_id, reason), lambda: self.offers.pop(call_id, None))

    @precondition(lambda self: self.offers)
    @rule(i=st.integers(0, 99), result=st.sampled_from(["answer", "no_answer", "busy", "unavail"]))
    def dial_returns(self, i, result):
        call_id = pick(self.offers, i)
        agent = self.offers[call_id]

        def settle():
            del self.offers[call_id]
            if result == "answer":
                self.talking[call_id] = agent
            else:
                self.waiting.add(call_id)

        event = {
            "answer": OfferAnswered,
            "no_answer": OfferNoAnswer,
            "busy": OfferBusy,
            "unavail": OfferUnavailable,
        }[result](call_id, agent)
        self.send(event, settle)
        if result == "no_answer":
            assert self.core.agent(agent).reason == "no answer"

    @precondition(lambda self: self.talking)
    @rule(i=st.integers(0, 99))
    def talk_ends(self, i):
        call_id = pick(self.talking, i)
        self.send(CallEnded(call_id), lambda: self.talking.pop(call_id))

    @precondition(lambda self: self.timers)
    @rule(i=st.integers(0, 99))
    def timer_fires(self, i):
        key = pick(self.timers, i)
        self.now = max(self.now, self.timers.pop(key))
        self.send(TimerFired(key))

    @rule()
    def stale_timer_fires(self):
        assert self.send(TimerFired("ring:gone:0")) == []

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def model_matches_core(self):
        core_waiting = {c for c, call in self.core.queue.calls.items() if call.state == "waiting"}
        assert core_waiting == self.waiting
        assert self.core.waiting_count() == len(self.waiting)
        assert set(self.core.timers.active) == set(self.timers)
        for call_id in self.waiting:
            category, key = self.calls[call_id]
            ahead = sum(1 for c in self.waiting if self.calls[c][0] == category and self.calls[c][1] < key)
            assert self.core.position(call_id) == ahead + 1

    @invariant()
    def nobody_waits_while_an_agent_could_take_them(self):
        idle = [a for a in self.core.pool.agents.values() if a.offerable]
        for call_id in self.waiting:
            category = self.calls[call_id][0]
            could = [
                a.agent_id for a in idle if a.serves(category) and a.agent_id != self.placed_by.get(call_id)
            ]
            assert not could, call_id

    @invariant()
    def ringing_agents_are_the_offered_ones(self):
        ringing = set(self.core.agents_by_state()["ringing"])
        assert ringing == set(self.offers.values())

    def teardown(self):
        for call_id in sorted(self.waiting | set(self.offers)):
            self.waiting.discard(call_id)
            self.send(CallLeft(call_id), lambda c=call_id: self.offers.pop(c, None))
        for call_id in sorted(self.talking):
            self.send(CallEnded(call_id), lambda c=call_id: self.talking.pop(c))
        assert self.core.queue.calls == {}
        assert all(self.outcomes[c] == 1 for c in self.calls), "a call without an outcome"


AcdMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=60, deadline=None)
TestAcdStateful = AcdMachine.TestCase
