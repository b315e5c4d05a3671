"""The ACD core and its adapter together (AcdRuntime, the sessions' inbox rule, fake clock and
scheduler) under random interleavings of calls, offers, Dial starts, answers, no-answers,
hang-ups, session exceptions, agent events and time:

- a call never stays in the core after its session ended;
- a call is never offered to two agents, an agent never holds two calls;
- an agent is never paused "no answer" for a call whose session was already gone;
- every session that reached the queue gets exactly one outcome from the core.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from fake_scheduler import FakeClock, FakeScheduler
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from acd import events as ev
from acd.commands import Offer
from acd.rules import AcdError
from hotline.bus.event_bus import EventBus
from hotline.calls.queue_wait import _next
from hotline.services.acd_driver import AcdRuntime
from hotline.settings import Settings

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
AGENTS = ["001", "002", "003"]
RESULTS = {"no_answer": ev.OfferNoAnswer, "busy": ev.OfferBusy, "unavailable": ev.OfferUnavailable}


class Session:
    """What a call session knows: its inbox, the offer it is carrying out, where it is."""

    def __init__(self, inbox) -> None:
        self.inbox = inbox
        self.offer: Offer | None = None
        self.state = "holding"  # holding | offered | dialing | talking


class Recorder:
    def __init__(self, machine: AdapterMachine) -> None:
        self.machine = machine

    def event(self, key: str, at: datetime, kind: str, data: dict) -> None:
        if kind == "agent_state" and data.get("to") == "paused(no answer)":
            assert key in self.machine.sessions, f"agent {data['agent_id']} paused for gone call {key}"


class AdapterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        config = Settings.model_validate(
            {
                "company": "X",
                "acd": {"wrap_up_seconds": 5, "position_announce_seconds": 10, "max_wait_seconds": 30},
                "agents": [{"id": a, "extension": f"1{a}", "secret": f"pw{a}-lab-x"} for a in AGENTS],
            }
        )
        self.clock = FakeClock(T0)
        self.scheduler = FakeScheduler(self.clock)
        self.sessions: dict[str, Session] = {}
        self.outcomes: dict[str, str | None] = {}
        self.acd = AcdRuntime(config, Recorder(self), EventBus(None), self.clock, _no_file(), self.scheduler)
        self.n = 0

    # --- agents and time ---------------------------------------------------------------------
    @rule(
        agent=st.sampled_from(AGENTS),
        kind=st.sampled_from(["login", "logout", "pause", "resume", "wrap_done", "reg", "unreg"]),
    )
    def agent_event(self, agent, kind):
        ext = f"1{agent}"
        try:
            if kind in ("reg", "unreg"):
                self.acd.registration(ext, kind == "reg")
            else:
                event = {
                    "login": ev.AgentLogin,
                    "logout": ev.AgentLogout,
                    "resume": ev.AgentResume,
                    "wrap_done": ev.WrapUpDone,
                    "pause": lambda a: ev.AgentPause(a, "break"),
                }[kind](agent)
                self.acd.feed(event)
        except AcdError:
            pass  # not allowed in the agent's state: changes nothing (the core's own tests)

    @rule(seconds=st.sampled_from([0.5, 1, 3, 11, 31]))
    def time_passes(self, seconds):
        self.scheduler.advance(seconds)

    # --- sessions ----------------------------------------------------------------------------
    @rule(placed_by=st.sampled_from([None, None, "001"]), priority=st.integers(0, 1))
    def caller_joins(self, placed_by, priority):
        self.n += 1
        call_id = f"c{self.n}"
        inbox = self.acd.join(call_id, "fault", priority, self.clock.now, placed_by)
        self.sessions[call_id] = Session(inbox)

    @precondition(lambda self: any(s.state == "holding" for s in self.sessions.values()))
    @rule(data=st.data())
    def session_reads_its_inbox(self, data):
        call_id = data.draw(
            st.sampled_from(sorted(c for c, s in self.sessions.items() if s.state == "holding"))
        )
        session = self.sessions[call_id]
        todo = _next(session.inbox)
        if isinstance(todo, Offer):
            session.offer, session.state = todo, "offered"

    @precondition(lambda self: any(s.state == "offered" for s in self.sessions.values()))
    @rule(data=st.data())
    def dial_starts(self, data):
        call_id = data.draw(
            st.sampled_from(sorted(c for c, s in self.sessions.items() if s.state == "offered"))
        )
        session = self.sessions[call_id]
        assert session.offer is not None
        self.acd.feed(ev.RingStarted(call_id, session.offer.agent_id))
        session.state = "dialing"

    @precondition(lambda self: any(s.state == "dialing" for s in self.sessions.values()))
    @rule(data=st.data(), result=st.sampled_from(["answer", "no_answer", "busy", "unavailable"]))
    def dial_result(self, data, result):
        call_id = data.draw(
            st.sampled_from(sorted(c for c, s in self.sessions.items() if s.state == "dialing"))
        )
        session = self.sessions[call_id]
        assert session.offer is not None
        if result == "answer":
            self.acd.feed(ev.OfferAnswered(call_id, session.offer.agent_id))
            session.state = "talking"
        else:
            self.acd.feed(RESULTS[result](call_id, session.offer.agent_id))
            session.offer, session.state = None, "holding"

    @precondition(lambda self: any(s.state == "talking" for s in self.sessions.values()))
    @rule(data=st.data())
    def talk_ends(self, data):
        call_id = data.draw(
            st.sampled_from(sorted(c for c, s in self.sessions.items() if s.state == "talking"))
        )
        self.acd.feed(ev.CallEnded(call_id))
        self._end(call_id)

    @precondition(lambda self: self.sessions)
    @rule(data=st.data())
    def session_ends_anyhow(self, data):
        """A hang-up, a broken socket, a daemon stop or any exception: the `finally` forgets."""
        self._end(data.draw(st.sampled_from(sorted(self.sessions))))

    def _end(self, call_id: str) -> None:
        del self.sessions[call_id]
        assert call_id not in self.outcomes, f"{call_id} ended twice"
        self.outcomes[call_id] = self.acd.forget(call_id)

    # --- invariants --------------------------------------------------------------------------
    @invariant()
    def no_call_outlives_its_session(self):
        assert set(self.acd.core.calls_held()) <= set(self.sessions)

    @invariant()
    def one_agent_per_call_and_one_call_per_agent(self):
        held = [self.acd.agent(a).call_id for a in AGENTS]
        busy = [
            c for c, a in zip(held, AGENTS, strict=True) if self.acd.agent(a).state in ("ringing", "talking")
        ]
        assert len(busy) == len(set(busy)), f"a call with two agents: {busy}"
        assert set(busy) <= set(self.sessions), f"an agent holds a gone call: {busy}"

    @invariant()
    def the_offer_a_session_carries_is_the_core_s(self):
        for call_id, s in self.sessions.items():
            if s.state in ("offered", "dialing"):
                assert self.acd.core.call_state(call_id) == "ringing"
                assert self.acd.agent(s.offer.agent_id).call_id == call_id

    def teardown(self):
        for call_id in sorted(self.sessions):
            self._end(call_id)
        assert self.acd.core.calls_held() == []
        reached = [c for c, outcome in self.outcomes.items() if outcome is not None]
        assert len(reached) == len(self.outcomes), "a session ended without the core's outcome"
        self.acd.close()


_STATE_DIR = tempfile.TemporaryDirectory(prefix="acd-prop-")  # removed when the run ends


_RUNS = count()


def _no_file() -> Path:
    """A state file of its own for each run: agents must not carry over between examples."""
    return Path(_STATE_DIR.name) / f"agents-{next(_RUNS)}.json"


AdapterMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=60, deadline=None)
TestAcdAdapter = AdapterMachine.TestCase
