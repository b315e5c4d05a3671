"""The wallboard's state as the page gets it, from events, the ACD's views and the day figures
(no I/O: the day figures are built in memory, the ACD is a table of views)."""

from datetime import UTC, date, datetime, timedelta

from acd.agents import AgentView
from acd.rules import AcdError
from acd.trunks import TrunkCapacity
from hotline.reports.figures import Counts, Thresholds
from hotline.reports.live_day import DayFigures
from hotline.reports.period import day_period, zone
from hotline.settings import Settings
from hotline.store.batch import Start
from hotline.web.live.alerts import Health
from hotline.web.live.board import LiveBoard
from hotline.web.live.today import Today

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SETTINGS = Settings.model_validate(
    {
        "company": "平安县",
        "agents": [
            {"id": "001", "extension": "1001", "secret": "pw1001-x", "name": "座席一"},
            {"id": "002", "extension": "1002", "secret": "pw1002-x", "name": "座席二"},
        ],
        "web": {},
    }
)


class Acd:
    def __init__(self) -> None:
        self.views = {
            "001": AgentView("001", "1001", "paused", "no answer", True, None, None),
            "002": AgentView("002", "1002", "ringing", None, True, "u1", None),
        }

    def agent(self, agent_id: str) -> AgentView:
        return self.views[agent_id]

    def position(self, call_id: str) -> int:
        if call_id != "u1":
            raise AcdError(f"call {call_id} is unknown")
        return 0


def board(now: datetime) -> LiveBoard:
    tz = zone("Asia/Shanghai")
    day = DayFigures(day_period(date(2026, 12, 2), tz), Thresholds(), [("001", "座席一"), ("002", "座席二")])
    today = Today(None, SETTINGS, day, [Counts()] * 24)  # no engine: nothing is loaded here
    return LiveBoard(
        SETTINGS,
        acd=Acd(),
        trunks=TrunkCapacity(8, 4),
        today=today,
        health=lambda: Health(ami_connected=True, database_reachable=True, peak_reason=None),
        clock=lambda: now,
    )


def ev(kind: str, s: float, seq: int, **data: object) -> dict[str, object]:
    return {"kind": kind, "seq": seq, "at": (T0 + timedelta(seconds=s)).isoformat(), **data}


def test_the_state_shows_the_ringing_caller_masked_the_agents_in_chinese_and_today() -> None:
    b = board(T0 + timedelta(seconds=30))
    b.on_event(ev("call_started", 0, 1, uniqueid="u1", direction="inbound", caller="13800001234"))
    b.on_event(ev("queued", 8, 2, uniqueid="u1", category="fault_repair", priority=0))
    b.on_event(ev("offered", 9, 3, uniqueid="u1", agent_id="002"))
    b.on_item(
        Start({"uniqueid": "u1", "direction": "inbound", "started_at": T0, "caller_number": "13800001234"})
    )
    state = b.state()
    assert state["waiting"] == [
        {
            "position": 0,
            "number": "138****1234",
            "category": "故障报修",
            "vip": False,
            "since": (T0 + timedelta(seconds=8)).isoformat(),
            "state": "ringing",
            "agent_id": "002",
        }
    ]
    one, two = state["agents"]
    assert (one["state_label"], one["reason"], one["caller"]) == ("暂停", "振铃未接", None)
    assert (two["state_label"], two["caller"]) == ("振铃", "138****1234")
    assert (state["seq"], state["tz"]) == (3, "Asia/Shanghai")
    assert state["today"]["counts"]["inbound"] == 1 and state["today"]["counts"]["in_progress"] == 1
    assert state["lines"] == {"inbound": {"used": 0, "total": 8}, "outbound": {"used": 0, "total": 4}}
    assert [a["text"] for a in state["alerts"]] == ["座席 001 振铃未接，已被置为暂停"]
    assert "13800001234" not in b.render().decode()  # the full number never leaves the daemon


def test_events_the_board_does_not_show_change_nothing() -> None:
    b = board(T0)
    b.on_event(ev("ivr_step", 0, 1, uniqueid="u1", node="main", key="1"))
    assert b.state()["seq"] == 0 and b.state()["waiting"] == []
