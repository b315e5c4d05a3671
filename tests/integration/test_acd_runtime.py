"""The ACD runtime (the adapter around the core) with an injected clock and scheduler: what a call
session sees in its inbox, and the bugs where the adapter and the core disagreed."""

from __future__ import annotations

from datetime import UTC, datetime

from fake_scheduler import FakeClock, FakeScheduler

from acd import events as ev
from acd.commands import AnnounceLongWait, AnnouncePosition, Offer
from hotline.bus.event_bus import EventBus
from hotline.services.acd_driver import AcdRuntime
from hotline.settings import Settings

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict]] = []

    def event(self, key: str, at: datetime, kind: str, data: dict) -> None:
        self.events.append((key, kind, data))

    def kinds(self, key: str) -> list[str]:
        return [kind for k, kind, _ in self.events if k == key]


def runtime(tmp_path, **acd) -> tuple[AcdRuntime, FakeScheduler, Recorder]:
    settings = Settings.model_validate(
        {
            "company": "X",
            "acd": {"state_file": str(tmp_path / "agents.json"), "auto_login": True, **acd},
            "agents": [
                {"id": "001", "extension": "1001", "secret": "pw1001-lab"},
                {"id": "002", "extension": "1002", "secret": "pw1002-lab"},
            ],
        }
    )
    clock = FakeClock(T0)
    scheduler = FakeScheduler(clock)
    recorder = Recorder()
    acd_rt = AcdRuntime(settings, recorder, EventBus(None), clock, tmp_path / "agents.json", scheduler)
    return acd_rt, scheduler, recorder


def test_a_dial_started_after_an_announcement_is_not_cut_short_by_a_ring_guard(tmp_path):
    """Bug 1: the core's guard counted 12 + 5 s from the offer; the session dialled 6 s later,
    the guard paused the agent at 17 s and the Dial's NOANSWER at 18 s raised AcdError."""
    acd, scheduler, recorder = runtime(tmp_path)
    acd.registration("1001", True)  # auto-login
    acd.registration("1002", True)
    acd.feed(ev.AgentPause("002", "break"))
    inbox = acd.join("c1", "fault", 0, T0)
    (offer,) = inbox
    assert isinstance(offer, Offer) and offer.agent_id == "001"
    scheduler.advance(6)  # the session finishes its announcement, then dials
    acd.feed(ev.RingStarted("c1", "001"))
    scheduler.advance(12)  # Asterisk ends the ring after the Dial's 12 s
    acd.feed(ev.OfferNoAnswer("c1", "001"))  # no AcdError: the core agrees with the Dial
    pauses = [d for k, kind, d in recorder.events if kind == "agent_state" and d["to"] == "paused(no answer)"]
    assert len(pauses) == 1
    (no_answer,) = [d for k, kind, d in recorder.events if kind == "no_answer"]
    assert no_answer["ring_s"] == 12.0
    assert acd.core.call_state("c1") == "waiting"


def test_the_session_inbox_gets_the_announcements_the_core_times(tmp_path):
    acd, scheduler, _ = runtime(tmp_path, position_announce_seconds=30, max_wait_seconds=90)
    inbox = acd.join("c1", "fault", 0, T0)  # nobody logged in: it waits
    assert list(inbox) == [AnnouncePosition("c1", 0)]
    inbox.clear()
    scheduler.advance(30)
    assert list(inbox) == [AnnouncePosition("c1", 0)]
    scheduler.advance(60)
    assert AnnounceLongWait("c1") in inbox
    assert acd.forget("c1") == "abandoned_queue"
    assert scheduler.pending() == 0  # the call's timers went with it


def test_an_agent_calling_the_hotline_is_not_rung_for_its_own_call(tmp_path):
    """Bug 5: a softphone registered as an agent that dialled 95598 rang itself for 12 s and its
    agent was paused "no answer"."""
    acd, scheduler, recorder = runtime(tmp_path)
    acd.registration("1001", True)
    caller = acd.agent_for_extension("1001")
    inbox = acd.join("c1", "fault", 0, T0, placed_by=caller)
    assert not [c for c in inbox if isinstance(c, Offer)]
    acd.registration("1002", True)
    assert [c.agent_id for c in inbox if isinstance(c, Offer)] == ["002"]
    assert acd.agent("001").state == "ready"


def test_a_session_that_ends_while_its_agent_rings_frees_the_agent(tmp_path):
    acd, scheduler, _ = runtime(tmp_path)
    acd.registration("1001", True)
    acd.join("c1", "fault", 0, T0)
    acd.feed(ev.RingStarted("c1", "001"))
    assert acd.forget("c1") == "abandoned_ringing"
    assert acd.agent("001").state == "ready" and acd.core.calls_held() == []
