"""ACD core examples: offers, the 4-ring rule, busy / unavailable, priorities, outcomes."""

from datetime import UTC, datetime, timedelta

from acd.agents import AgentSpec
from acd.commands import (
    AnnounceLongWait,
    AnnouncePosition,
    CallOutcome,
    CancelTimer,
    Log,
    Offer,
    StartTimer,
)
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
    out = core.handle(OfferNoAnswer("c1", "1001"), at(13))
    assert core.agent("1001").state == "paused" and core.agent("1001").reason == "no answer"
    assert offered(out) == [("c1", "1002")]
    assert only(out, Offer)[0].late is False  # 12 s is not longer than the 12 s target
    kinds = [c.kind for c in only(out, Log)]
    assert kinds.index("no_answer") < kinds.index("offer")


def test_the_ring_is_timed_by_the_dial_so_a_late_dial_start_is_not_a_no_answer():
    """Bug: the core's ring guard started at the offer, but the session dials only after its
    current prompt; the guard fired on an agent still ringing and the Dial's result then raised."""
    core = make_core("1001", "1002")
    out = queue(core, "c1", 1)
    assert offered(out) == [("c1", "1001")]
    assert not [t for t in only(out, StartTimer) if t.key.startswith("ring")]  # no ring timer
    ringing = core.handle(RingStarted("c1", "1001"), at(7))  # a 6 s announcement, then the Dial
    assert [(c.kind, c.data["after_offer_s"]) for c in only(ringing, Log)] == [("ring", 6.0)]
    out = core.handle(OfferNoAnswer("c1", "1001"), at(19))  # Asterisk ends the ring at 12 s
    (no_answer,) = [c for c in only(out, Log) if c.kind == "no_answer"]
    assert no_answer.data["ring_s"] == 12.0  # from the Dial, not from the offer
    assert (core.agent("1001").state, core.agent("1001").reason) == ("paused", "no answer")
    assert offered(out) == [("c1", "1002")]


def test_an_answer_after_a_late_dial_start_counts_its_ring_from_the_dial():
    core = make_core("1001")
    queue(core, "c1", 1)
    core.handle(RingStarted("c1", "1001"), at(7))
    out = core.handle(OfferAnswered("c1", "1001"), at(18))  # 11 s of ringing, 17 s after the offer
    (answer,) = [c for c in only(out, Log) if c.kind == "answer"]
    assert answer.data["ring_s"] == 11.0
    assert CallOutcome("c1", "agent_answered") in out and core.agent("1001").state == "talking"


def test_a_call_is_never_offered_to_the_phone_that_placed_it():
    """Bug: an agent's softphone that dialled 95598 rang itself and the agent was paused."""
    core = make_core("1001", "1002", wrap_up_s=0)
    core.handle(AgentPause("1002", "break"), at(0.5))
    out = core.handle(CallQueued("c1", "fault", 0, at(1), placed_by="1001"), at(1))
    assert offered(out) == []  # 1001 is idle longest, but it is the caller
    assert only(out, AnnouncePosition) == [AnnouncePosition("c1", 0)]
    out = queue(core, "c2", 2)
    assert offered(out) == [("c2", "1001")]  # other callers still reach 1001
    assert offered(core.handle(AgentResume("1002"), at(3))) == [("c1", "1002")]
    core.handle(OfferAnswered("c2", "1001"), at(4))
    assert offered(core.handle(CallEnded("c2"), at(5))) == []  # 1001 free again: still not c1


def test_a_waiting_caller_hears_the_position_at_once_then_every_interval():
    core = make_core("1001", position_announce_s=30, max_wait_s=100)
    queue(core, "c1", 1)  # 1001 rings
    out = queue(core, "c2", 2)
    assert only(out, AnnouncePosition) == [AnnouncePosition("c2", 0)]
    out = queue(core, "c3", 3)
    assert only(out, AnnouncePosition) == [AnnouncePosition("c3", 1)]
    (tick,) = [t for t in only(out, StartTimer) if t.key.startswith("announce")]
    assert tick.at == at(33)
    core.handle(CallLeft("c2"), at(10))
    out = core.handle(TimerFired(tick.key), at(33))
    assert only(out, AnnouncePosition) == [AnnouncePosition("c3", 0)]  # moved up
    out = core.handle(OfferAnswered("c1", "1001"), at(34))
    out = core.handle(CallEnded("c1"), at(40))
    assert offered(core.handle(TimerFired(only(out, StartTimer)[0].key), at(55))) == [("c3", "1001")]


def test_the_long_wait_reminder_comes_once_and_waits_while_an_agent_rings():
    core = make_core("1001", max_wait_s=60, wrap_up_s=0)
    core.handle(AgentPause("1001", "break"), at(0))
    out = queue(core, "c1", 1)
    (long_wait,) = [t for t in only(out, StartTimer) if t.key.startswith("long_wait")]
    assert long_wait.at == at(61)
    core.handle(AgentResume("1001"), at(50))  # rings 1001
    assert only(core.handle(TimerFired(long_wait.key), at(61)), AnnounceLongWait) == []
    out = core.handle(OfferNoAnswer("c1", "1001"), at(62))  # back to waiting: now the reminder
    assert only(out, AnnounceLongWait) == [AnnounceLongWait("c1")]
    assert only(out, AnnouncePosition) == [AnnouncePosition("c1", 0)]


def test_a_call_that_leaves_takes_its_timers_with_it():
    core = make_core("1001")
    queue(core, "c1", 1)
    out = queue(core, "c2", 2)
    keys = {t.key for t in only(out, StartTimer)}
    out = core.handle(CallLeft("c2"), at(5))
    assert {c.key for c in only(out, CancelTimer)} == keys
    assert core.timers.get(next(iter(keys))) is None


def test_auto_login_logs_a_registering_agent_in_once():
    core = AcdCore([AgentSpec("1001", "81001")], AcdSettings(auto_login=True))
    core.handle(AgentRegistered("1001", True), at(0))
    assert core.agent("1001").state == "ready"
    core.handle(AgentLogout("1001"), at(1))
    core.handle(AgentRegistered("1001", True), at(2))  # still registered: no change
    assert core.agent("1001").state == "logged_out"
    off = AcdCore([AgentSpec("1001", "81001")], AcdSettings(auto_login=False))
    off.handle(AgentRegistered("1001", True), at(0))
    assert off.agent("1001").state == "logged_out"


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
    (backoff,) = [t for t in only(out, StartTimer) if t.key.startswith("backoff")]
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
