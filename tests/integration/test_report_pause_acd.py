"""Pause time from state changes written by the real ACD runtime (AcdRuntime + CallRecorder), on
SQLite and PostgreSQL: whatever call_uniqueid the runtime files a change under, the report finds
it, including the day's opening state. Times are Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime

from report_day import SHANGHAI, at

from acd import events as ev
from hotline.bus.event_bus import EventBus
from hotline.reports.period import day_period
from hotline.reports.stats import compute_stats
from hotline.services.acd_driver import AcdRuntime
from hotline.settings import Settings
from hotline.store import CallRecorder

H = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = at("2026-11-22 00:00:00")

    def __call__(self) -> datetime:
        return self.now


async def test_pauses_logged_by_the_acd_runtime(engine, tmp_path):
    recorder = CallRecorder(engine)
    recorder.start()
    settings = Settings.model_validate(
        {
            "company": "平安县",
            "acd": {"wrap_up_seconds": 0, "state_file": str(tmp_path / "agents.json")},
            "agents": [
                {"id": "001", "extension": "1001", "secret": "pw1001-lab"},
                {"id": "002", "extension": "1002", "secret": "pw1002-lab"},
            ],
        }
    )
    clock = Clock()
    acd = AcdRuntime(settings, recorder, EventBus(None), clock, tmp_path / "agents.json")

    def step(local: str, action) -> None:
        clock.now = at(local)
        action()

    try:
        step("2026-11-22 20:00:00", lambda: acd.registration("1001", True))  # auto login
        step("2026-11-22 23:50:00", lambda: acd.join("c1", "consultation", 0, clock.now))  # rings 001
        step("2026-11-22 23:50:12", lambda: acd.feed(ev.OfferNoAnswer("c1", "001")))  # paused(no answer)
        step("2026-11-22 23:50:20", lambda: acd.feed(ev.CallLeft("c1")))
        step("2026-11-23 00:05:00", lambda: acd.feed(ev.AgentResume("001")))
        step("2026-11-23 08:00:00", lambda: acd.registration("1002", True))
        step("2026-11-23 09:00:00", lambda: acd.join("c2", "consultation", 0, clock.now))  # 001 idle longest
        step("2026-11-23 09:00:05", lambda: acd.feed(ev.OfferAnswered("c2", "001")))
        step("2026-11-23 09:03:05", lambda: acd.feed(ev.CallEnded("c2")))  # wrap-up 0 s: ready
        step("2026-11-23 12:00:00", lambda: acd.feed(ev.AgentPause("001", "break")))
        step("2026-11-23 12:30:00", lambda: acd.feed(ev.AgentResume("001")))
        step("2026-11-23 13:00:00", lambda: acd.feed(ev.AgentPause("002", "meeting")))
        step("2026-11-23 18:00:00", lambda: acd.feed(ev.AgentLogout("001")))
        await recorder.flush()
        stats = await compute_stats(
            engine,
            day_period(date(2026, 11, 23), SHANGHAI),
            agents=[("001", None), ("002", None)],
            now=at("2026-11-23 20:00:00"),
        )
    finally:
        acd.close()
        await recorder.close()
    rows = {
        a.agent_id: (a.offered, a.answered, a.logged_in_s, a.paused_s, dict(a.paused_by_reason))
        for a in stats.agents
    }
    assert rows == {
        # paused since 23:50:12 the day before (no answer) until 00:05; break 12:00-12:30; out at 18:00
        "001": (1, 0, 18 * H, 300 + 1800.0, {"no answer": 300.0, "break": 1800.0}),
        # logged in at 08:00, paused (meeting) since 13:00, counted until now (20:00)
        "002": (0, 0, 12 * H, 7 * H, {"meeting": 7 * H}),
    }
