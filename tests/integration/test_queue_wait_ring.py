"""The caller's wait and the agent's ring (hotline/calls/queue_wait.py) with a scripted channel,
a scripted AMI, the real ACD runtime and a fake clock: the figures of an answered call come from
the agent's answer instant, however the Dial ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from fake_scheduler import FakeClock, FakeScheduler

from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.bus.event_bus import EventBus
from hotline.calls.queue_wait import QueueResult, wait_for_agent
from hotline.services.acd_driver import AcdRuntime
from hotline.settings import Settings
from ivr.events import TransferToAgent

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Recorder:
    def event(self, *args: object) -> None:
        pass


@dataclass
class Ami:
    """Calls the session's answer callback when the scripted agent picks up."""

    answers: dict[str, datetime] = field(default_factory=dict)
    callbacks: dict = field(default_factory=dict)

    def on_dial_answer(self, uid, callback):
        self.callbacks[uid] = callback
        return lambda: self.callbacks.pop(uid, None)

    def dial_answered_at(self, uid):
        return self.answers.get(uid)

    def agent_answers(self, uid: str, at: datetime) -> None:
        self.answers[uid] = at
        self.callbacks.pop(uid)()


class Channel:
    """The Dial: the agent answers `answer_after` s in, the caller hangs up `leaves_after` s in
    (during the 座席 announcement); everything else succeeds at once."""

    def __init__(self, clock: FakeClock, ami: Ami, answer_after: float, leaves_after: float):
        self.uniqueid, self.hung_up, self.reply_timeout = "c1", False, 5.0
        self.clock, self.ami = clock, ami
        self.answer_after, self.leaves_after = answer_after, leaves_after
        self.apps: list[str] = []

    async def exec(self, app: str, args: str = "", *, timeout: float | None = None) -> int:
        self.apps.append(app)
        if app != "Dial":
            return 0
        start = self.clock.now
        self.clock.now = start + timedelta(seconds=self.answer_after)
        self.ami.agent_answers(self.uniqueid, self.clock.now)
        self.clock.now = start + timedelta(seconds=self.leaves_after)
        return -1  # `g`: the caller hung up

    async def channel_status(self) -> int:
        raise AgiHangup("the caller is gone")

    async def get_variable(self, name: str) -> str | None:
        return "CANCEL"  # what Asterisk says when the caller leaves before the bridge

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        return None


def context(tmp_path, clock: FakeClock, ami: Ami) -> SimpleNamespace:
    settings = Settings.model_validate(
        {
            "company": "X",
            "acd": {"state_file": str(tmp_path / "agents.json")},
            "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-lab"}],
        }
    )
    acd = AcdRuntime(
        settings, Recorder(), EventBus(None), clock, tmp_path / "agents.json", FakeScheduler(clock)
    )
    acd.registration("1001", True)  # auto-login: ready
    return SimpleNamespace(
        settings=settings, acd=acd, ami=ami, clock=clock, recorder=Recorder(), prompt=lambda pid: f"p/{pid}"
    )


async def test_a_caller_who_leaves_during_the_announcement_keeps_the_answered_figures(tmp_path):
    """Bug 4: such a call got ring_time_s 0 and a talk time counted from the Dial's start."""
    clock, ami = FakeClock(T0), Ami()
    ctx = context(tmp_path, clock, ami)
    chan = Channel(clock, ami, answer_after=4.0, leaves_after=7.0)
    result = QueueResult()
    transfer = TransferToAgent("fault_repair", 0, "main", "pressed_0")
    await wait_for_agent(chan, ctx, transfer, 0, T0, result)
    assert result.ring_time_s == 4.0  # from the Dial to the agent's answer
    assert result.talk_started_at == T0 + timedelta(seconds=4) and result.talk_s == 3.0
    assert result.agent_id == "001" and chan.hung_up  # gone: no survey
    assert "Dial" in chan.apps
    assert ctx.acd.forget("c1") == "agent_answered"
    assert ctx.acd.agent("001").state == "wrap_up"  # not paused, not offered again
