"""The wallboard's view of calls in progress, from the live events (pure)."""

from datetime import UTC, datetime, timedelta

from acd.agents import AgentView
from hotline.phone_number import masked
from hotline.reports.live_window import RecentLevel
from hotline.web.live.alerts import Health, alerts
from hotline.web.live.calls import LiveCalls

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def ev(kind: str, s: float, **data: object) -> dict[str, object]:
    return {"kind": kind, "seq": 1, "at": (T0 + timedelta(seconds=s)).isoformat(), **data}


def test_masked_numbers_hide_the_middle_and_never_show_junk() -> None:
    assert masked("13800000000") == "138****0000"
    assert masked("+86 138-1234-5678") == "138****5678"
    assert masked("05511234567") == "055****4567"
    assert masked("95598") == "***98"
    assert masked("<script>") == "未知号码"
    assert masked(None) == "未知号码"


def test_a_call_waits_rings_and_leaves_the_list_when_answered() -> None:
    calls = LiveCalls()
    assert calls.apply(ev("call_started", 0, uniqueid="u1", direction="inbound", caller="13800000000"))
    assert calls.waiting() == []  # still in the menu
    calls.apply(ev("queued", 5, uniqueid="u1", category="fault_repair", priority=0))
    (w,) = calls.waiting()
    assert (w.number, w.state, w.category, w.vip, w.queued_at) == (
        "138****0000",
        "waiting",
        "fault_repair",
        False,
        T0 + timedelta(seconds=5),
    )
    calls.apply(ev("offered", 6, uniqueid="u1", agent_id="001"))
    assert calls.waiting()[0].state == "ringing"
    calls.apply(ev("answered", 10, uniqueid="u1", agent_id="001"))
    assert calls.waiting() == []
    assert calls.number_of("u1") == "138****0000"
    calls.apply(
        ev("call_ended", 70, uniqueid="u1", direction="inbound", outcome="agent_answered", reason=None)
    )
    assert calls.number_of("u1") is None and calls.calls == {}


def test_vip_callers_are_listed_first_then_by_wait() -> None:
    calls = LiveCalls()
    for i, (caller, prio) in enumerate([("13800000001", 0), ("13800000002", 5), ("13800000003", 0)]):
        calls.apply(ev("call_started", i, uniqueid=f"u{i}", direction="inbound", caller=caller))
        calls.apply(ev("queued", i, uniqueid=f"u{i}", category="other", priority=prio))
    assert [c.uniqueid for c in calls.waiting()] == ["u1", "u0", "u2"]


def test_events_of_unknown_calls_or_without_an_id_change_nothing() -> None:
    calls = LiveCalls()
    assert not calls.apply(ev("queued", 0, uniqueid="ghost", category="x", priority=0))
    assert not calls.apply(ev("ivr_step", 0, uniqueid=None, node="main", key="1"))
    assert calls.calls == {}


def _agent(agent_id: str, state: str, reason: str | None = None) -> AgentView:
    return AgentView(agent_id, "1" + agent_id, state, reason, True, None, None)


def test_alerts_name_what_is_wrong() -> None:
    calls = LiveCalls()
    calls.apply(ev("call_started", 0, uniqueid="u1", direction="inbound", caller="13800000000"))
    calls.apply(ev("queued", 0, uniqueid="u1", category="other", priority=0))
    found = alerts(
        now=T0 + timedelta(seconds=61),
        waiting=calls.waiting(),
        agents=[_agent("001", "paused", "no answer"), _agent("002", "paused", "lunch")],
        recent=RecentLevel(answered=10, within=7),
        goal=0.8,
        wait_limit_s=60,
        health=Health(ami_connected=False, database_reachable=False, peak_reason="waiting 6 > 5"),
    )
    texts = [(a.level, a.text) for a in found]
    assert texts == [
        ("red", "数据库连接中断：通话记录暂存本机，恢复后补写"),
        ("red", "AMI 连接中断：座席注册与接听时间暂不可知"),
        ("red", "近30分钟服务水平 70%，低于目标 80%"),
        ("red", "1 位客户等待超过 60 秒"),
        ("amber", "座席 001 振铃未接，已被置为暂停"),
        ("amber", "高峰模式已开启：waiting 6 > 5"),
    ]


def test_no_alerts_on_a_quiet_healthy_day() -> None:
    found = alerts(
        now=T0,
        waiting=[],
        agents=[_agent("001", "ready")],
        recent=RecentLevel(answered=0, within=0),
        goal=0.8,
        wait_limit_s=60,
        health=Health(ami_connected=None, database_reachable=True, peak_reason=None),
    )
    assert found == []
