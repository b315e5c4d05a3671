"""The agent desk's view of calls (hotline.web.desk.tracker), from live event bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline.web.desk.tracker import DeskCalls

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def ev(kind: str, uid: str, s: float = 0, **data: object) -> dict[str, object]:
    return {"kind": kind, "uniqueid": uid, "at": (T0 + timedelta(seconds=s)).isoformat(), **data}


def test_a_call_walks_the_menu_queues_rings_and_is_answered() -> None:
    calls = DeskCalls()
    assert calls.apply(ev("call_started", "a", direction="inbound", caller="13800001234")) == set()
    calls.apply(ev("ivr_step", "a", 2, node="top", key=None))
    calls.apply(ev("ivr_step", "a", 5, node="agent", key="0"))
    assert calls.apply(ev("queued", "a", 5, category="fault_repair", priority=5)) == set()
    assert calls.apply(ev("offered", "a", 6, agent_id="001")) == {"001"}
    call = calls.of_agent("001")
    assert call is not None
    assert (call.caller, call.steps, call.category, call.vip) == (
        "13800001234",
        [("top", None), ("agent", "0")],
        "fault_repair",
        True,
    )
    assert call.waited_s(T0 + timedelta(seconds=9)) == 4.0  # still waiting: until now
    assert calls.apply(ev("answered", "a", 12, agent_id="001")) == {"001"}
    assert call.waited_s(T0 + timedelta(seconds=99)) == 7.0  # queue to answer
    assert calls.apply(ev("call_ended", "a", 80, outcome="agent_answered")) == {"001"}
    assert calls.of_agent("001") is call  # kept: the agent still files its disposition
    assert call.outcome == "agent_answered"


def test_an_ended_call_is_dropped_when_the_agent_takes_the_next_one() -> None:
    calls = DeskCalls()
    for uid, s in (("a", 0), ("b", 100)):
        calls.apply(ev("call_started", uid, s, direction="inbound", caller="13800001234"))
        calls.apply(ev("queued", uid, s + 1, category="other", priority=0))
        calls.apply(ev("offered", uid, s + 2, agent_id="001"))
        calls.apply(ev("answered", uid, s + 3, agent_id="001"))
        calls.apply(ev("call_ended", uid, s + 50, outcome="agent_answered"))
    assert set(calls.calls) == {"b"}
    assert calls.of_agent("001") is calls.calls["b"]


def test_a_call_no_agent_took_is_forgotten_and_outbound_calls_are_not_followed() -> None:
    calls = DeskCalls()
    calls.apply(ev("call_started", "a", direction="inbound", caller="13800001234"))
    calls.apply(ev("call_started", "o", direction="outbound", caller="1001"))
    assert set(calls.calls) == {"a"}
    calls.apply(ev("call_ended", "a", 9, outcome="ivr_only"))
    assert calls.calls == {}
    assert calls.apply(ev("offered", "o", 1, agent_id="001")) == set()  # not a desk call


def test_a_call_rung_at_one_agent_then_taken_by_another_moves_desks() -> None:
    calls = DeskCalls()
    calls.apply(ev("call_started", "a", direction="inbound", caller="13800001234"))
    calls.apply(ev("offered", "a", 1, agent_id="001"))
    calls.apply(ev("offered", "a", 13, agent_id="002"))
    call = calls.calls["a"]
    assert call.agent_id == "002"  # 001's desk still points at it, but it is 002's (Desk.call_of checks)
    assert calls.of_agent("002") is call


def test_agent_state_events_name_their_agent_and_odd_bodies_change_nothing() -> None:
    calls = DeskCalls()
    assert calls.apply({"kind": "agent_state", "agent_id": "003", "at": T0.isoformat()}) == {"003"}
    assert calls.apply({"kind": "agent_state", "agent_id": None, "at": T0.isoformat()}) == set()
    assert calls.apply({"kind": "queued", "uniqueid": 7, "at": T0.isoformat()}) == set()
    assert calls.apply(ev("answered", "nope", agent_id="001")) == set()
    assert calls.calls == {} and calls.last == {}
