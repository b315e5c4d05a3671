"""ACD core examples: offers, the 4-ring rule, busy / unavailable, priorities, outcomes."""

from datetime import UTC, datetime, timedelta

from acd.agents import AgentSpec
from acd.commands import CallOutcome, CancelTimer, Log, Offer, StartTimer, StopRinging
from acd.core import AcdCore
from acd.events import (
    AgentLogin,
    AgentRegistered,
    AgentResume,
    CallEnded,
    CallLeft,
    CallQueued,
    OfferAnswered,
    OfferBusy,
    OfferNoAnswer,
    OfferUnavailable,
    TimerFired,
    WrapUpDone,
)
from acd.settings import AcdSettings

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def make_core(*agents, **settings) -> AcdCore:
    """Agents by id, or (id, skills); extension = "8" + id. Registered and logged in at T0."""
    specs = [
        AgentSpec(a, f"8{a}") if isinstance(a, str) else AgentSpec(a[0], f"8{a[0]}", frozenset(a[1]))
        for a in agents
    ]
    core = AcdCore(specs, AcdSettings(**settings))
    for i, spec in enumerate(specs):  # the first one listed has been idle longest
        core.handle(AgentRegistered(spec.agent_id, True), at(i / 10))
        core.handle(AgentLogin(spec.agent_id), at(i / 10))
    return core


def queue(core, call_id, t=1.0, category="fault", priority=0):
    return core.handle(CallQueued(call_id, category, priority, at(t)), at(t))


def only(cmds, cls):
    return [c for c in cmds if isinstance(c, cls)]


def offered(cmds):
    return [(o.call_id, o.agent_id) for o in only(cmds, Offer)]


def test_two_agents_three_callers_third_waits_until_wrap_up_ends():
    core = make_core("1001", "1002", wrap_up_s=10)
    assert offered(queue(core, "c1", 1)) == [("c1", "1001")]  # longest idle first
    assert offered(queue(core, "c2", 2)) == [("c2", "1002")]
    assert offered(queue(core, "c3", 3)) == []
    assert (core.waiting_count(), core.position("c3"), core.position("c1")) == (1, 1, 0)

    core.handle(OfferAnswered("c1", "1001"), at(5))
    core.handle(OfferAnswered("c2", "1002"), at(6))
    out = core.handle(CallEnded("c1"), at(60))
    (wrap,) = only(out, StartTimer)
    assert wrap.at == at(70) and offered(out) == []
    assert core.agent("1001").state == "wrap_up"

    out = core.handle(TimerFired(wrap.key), at(70))
    assert offered(out) == [("c3", "1001")]
    (offer,) = only(out, Offer)
    assert offer == Offer("c3", "1001", "81001", 12.0, True)  # waited 67 s > 12 s target
    assert core.waiting_count() == 0
    assert core.agents_by_state()["ringing"] == ["1001"]


def test_no_answer_pauses_the_agent_and_offers_the_next_one_at_once():
    core = make_core("1001", "1002")
    out = queue(core, "c1", 1)
    assert offered(out) == [("c1", "1001")]
    (guard,) = only(out, StartTimer)
    assert guard.at == at(1 + 12 + 5)

    out = core.handle(OfferNoAnswer("c1", "1001"), at(13))
    assert CancelTimer(guard.key) in out
    assert core.agent("1001").state == "paused" and core.agent("1001").reason == "no answer"
    assert offered(out) == [("c1", "1002")]
    assert only(out, Offer)[0].late is False  # 12 s is not longer than the 12 s target
    kinds = [c.kind for c in only(out, Log)]
    assert kinds.index("no_answer") < kinds.index("offer")
    assert core.handle(TimerFired(guard.key), at(18)) == []  # raced its cancel: ignored


def test_ring_guard_timer_counts_as_no_answer_and_stops_the_ringing():
    core = make_core("1001", "1002")
    (guard,) = only(queue(core, "c1", 1), StartTimer)
    out = core.handle(TimerFired(guard.key), guard.at)
    assert StopRinging("c1", "1001") in out
    assert (core.agent("1001").state, core.agent("1001").reason) == ("paused", "no answer")
    assert offered(out) == [("c1", "1002")] and only(out, Offer)[0].late is True
    assert "ring_timeout" in [c.kind for c in only(out, Log)]


def test_busy_skips_the_agent_for_now_and_offers_the_next_one_at_once():
    core = make_core("1001", "1002", busy_backoff_s=5)
    queue(core, "c1", 1)
    out = core.handle(OfferBusy("c1", "1001"), at(1.1))
    assert offered(out) == [("c1", "1002")]
    assert core.agent("1001").state == "ready"  # not paused
    (backoff,) = [t for t in only(out, StartTimer) if t.key.startswith("backoff")]
    assert offered(queue(core, "c2", 2)) == []  # 1001 is held back
    out = core.handle(TimerFired(backoff.key), at(6.1))
    assert offered(out) == [("c2", "1001")]


def test_a_lone_busy_agent_is_retried_after_the_backoff():
    core = make_core("1001")
    queue(core, "c1", 1)
    out = core.handle(OfferBusy("c1", "1001"), at(1))
    assert offered(out) == [] and core.position("c1") == 1
    (backoff,) = only(out, StartTimer)
    assert offered(core.handle(TimerFired(backoff.key), backoff.at)) == [("c1", "1001")]


def test_unavailable_marks_the_agent_unregistered_until_it_registers_again():
    core = make_core("1001", "1002")
    queue(core, "c1", 1)
    out = core.handle(OfferUnavailable("c1", "1001"), at(1))
    assert offered(out) == [("c1", "1002")]
    assert core.agent("1001").registered is False and core.agent("1001").state == "ready"
    assert offered(queue(core, "c2", 2)) == []
    assert offered(core.handle(AgentRegistered("1001", True), at(3))) == [("c2", "1001")]


def test_an_unregistered_agent_is_never_offered():
    core = make_core("1001")
    core.handle(AgentRegistered("1001", False), at(0.5))
    assert offered(queue(core, "c1", 1)) == []
    assert offered(core.handle(AgentRegistered("1001", True), at(2))) == [("c1", "1001")]


def test_a_vip_who_arrives_later_is_served_first_and_fifo_holds_within_a_priority():
    core = make_core("1001")
    queue(core, "busy-maker", 0.5)
    core.handle(OfferAnswered("busy-maker", "1001"), at(0.6))
    for i, (cid, prio) in enumerate([("n1", 0), ("n2", 0), ("vip1", 5), ("vip2", 5)]):
        queue(core, cid, 1 + i, priority=prio)
    assert [core.position(c) for c in ("vip1", "vip2", "n1", "n2")] == [1, 2, 3, 4]
    served = []
    for t in range(4):
        out = core.handle(CallEnded(served[-1] if served else "busy-maker"), at(100 * t + 10))
        out += core.handle(WrapUpDone("1001"), at(100 * t + 11))
        (offer,) = only(out, Offer)
        served.append(offer.call_id)
        core.handle(OfferAnswered(offer.call_id, "1001"), at(100 * t + 12))
    assert served == ["vip1", "vip2", "n1", "n2"]


def test_skills_and_longest_idle():
    core = make_core(("1001", {"bill"}), ("1002", {"fault"}), "1003")
    assert offered(queue(core, "c1", 1, category="fault")) == [("c1", "1002")]
    assert offered(queue(core, "c2", 2, category="fault")) == [("c2", "1003")]
    assert offered(queue(core, "c3", 3, category="fault")) == []
    assert offered(queue(core, "c4", 4, category="bill")) == [("c4", "1001")]
    assert (core.waiting_count("fault"), core.waiting_count("bill")) == (1, 0)


def test_caller_leaving_while_ringing_frees_the_agent_who_keeps_his_place():
    core = make_core("1001", "1002")
    queue(core, "c1", 1)
    out = core.handle(CallLeft("c1"), at(4))
    assert only(out, CallOutcome) == [CallOutcome("c1", "abandoned_ringing")]
    assert only(out, CancelTimer) and core.agent("1001").state == "ready"
    assert offered(queue(core, "c2", 5)) == [("c2", "1001")]  # still the longest idle


def test_each_way_of_leaving_has_its_own_outcome():
    core = make_core()
    for cid in "abc":
        queue(core, cid, 1)
    outs = [
        only(core.handle(CallLeft(c, r), at(9)), CallOutcome)[0].outcome
        for c, r in (("a", "hangup"), ("b", "message"), ("c", "callback"))
    ]
    assert outs == ["abandoned_queue", "message_left", "callback_requested"]
    assert core.waiting_count() == 0


def test_answered_call_outcome_once_and_stats_logs():
    core = make_core("1001", wrap_up_s=0)
    out = queue(core, "c1", 1)
    out += core.handle(OfferAnswered("c1", "1001"), at(4))
    out += core.handle(CallEnded("c1"), at(64))
    assert only(out, CallOutcome) == [CallOutcome("c1", "agent_answered")]
    logs = {c.kind: c for c in only(out, Log)}
    assert logs["answer"].data == {"attempt": 1, "ring_s": 3.0, "wait_s": 3.0}
    assert logs["call_end"].data == {"talk_s": 60.0}
    assert core.agent("1001").state == "ready"  # wrap_up_s=0: straight back


def test_paused_agent_resumes_and_takes_the_waiting_call():
    core = make_core("1001")
    queue(core, "c1", 1)
    core.handle(OfferNoAnswer("c1", "1001"), at(13))
    assert core.position("c1") == 1
    assert offered(core.handle(AgentResume("1001"), at(20))) == [("c1", "1001")]
