"""close_orphan: a call the daemon never ended is closed from what its events say (pure fold)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hotline.store.models import OUTCOMES
from hotline.store.orphans import ORPHAN_REASON, close_orphan

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
INBOUND = {"uniqueid": "c.1", "direction": "inbound", "started_at": T0}


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


def step(s: float, node: str, key: str) -> tuple[datetime, str, dict]:
    return at(s), "ivr_step", {"node": node, "key": key, "at": at(s).isoformat()}


MENU = [step(1, "top", "entry"), step(4, "fault", "1")]
QUEUED = [(at(6), "queued", {"category": "fault_repair", "priority": 10, "wait_s": 0.5, "agent_id": None})]


def offer(s: float, agent: str, attempt: int) -> tuple[datetime, str, dict]:
    return at(s), "offer", {"attempt": attempt, "wait_s": s - 5.5, "late": False, "agent_id": agent}


def ring_end(s: float, kind: str, agent: str, ring_s: float) -> tuple[datetime, str, dict]:
    return at(s), kind, {"attempt": 1, "ring_s": ring_s, "wait_s": s - 5.5, "agent_id": agent}


def test_no_events_closes_as_failed_with_the_plain_reason():
    assert close_orphan(INBOUND, [], NOW) == {
        "outcome": "failed",
        "failure_reason": ORPHAN_REASON,
        "ended_at": NOW,
    }


def test_stopped_in_the_menu_keeps_the_path_and_names_the_node():
    fields = close_orphan(INBOUND, MENU, NOW)
    assert fields["outcome"] == "failed"
    assert fields["failure_reason"] == "daemon stopped while the caller was in the menu at node 'fault'"
    assert fields["ivr_path"] == [e[2] for e in MENU]
    assert fields["ended_at"] == NOW
    assert "queued_at" not in fields and "agent_id" not in fields


def test_caller_hung_up_in_the_menu_is_ivr_only_at_that_instant():
    events = [*MENU, step(9, "fault", "hangup")]
    fields = close_orphan(INBOUND, events, NOW)
    assert (fields["outcome"], fields["ended_at"]) == ("ivr_only", at(9))
    assert fields["failure_reason"].startswith("daemon stopped after the caller hung up")


def test_queued_and_never_answered_is_failed_not_abandoned():
    fields = close_orphan(INBOUND, MENU + QUEUED, NOW)
    assert fields["outcome"] == "failed"
    assert fields["failure_reason"] == "daemon stopped while the caller was queued for an agent"
    assert fields["business_category"] == "fault_repair" and fields["priority"] == 10
    assert fields["queued_at"] == at(5.5)
    assert (fields["agents_rung"], fields["ring_time_s"]) == (0, 0.0)


def test_ringing_agents_are_counted_and_the_ringing_one_named():
    events = [*MENU, *QUEUED, offer(6, "001", 1), ring_end(18, "no_answer", "001", 12.0), offer(18, "002", 2)]
    fields = close_orphan(INBOUND, events, NOW)
    assert fields["outcome"] == "failed"
    assert fields["failure_reason"] == "daemon stopped while agent 002 was ringing"
    assert (fields["agents_rung"], fields["ring_time_s"]) == (2, 12.0)


def test_answered_call_is_agent_answered_with_its_agent_and_talk_start():
    events = [
        *MENU,
        *QUEUED,
        offer(6, "001", 1),
        ring_end(18, "busy", "001", 0.25),
        offer(18, "002", 2),
        ring_end(21.5, "answer", "002", 3.5),
        (at(22), "agent_state", {"from": "ringing", "to": "talking", "agent_id": "002"}),
    ]
    fields = close_orphan(INBOUND, events, NOW, extensions={"002": "1002"})
    assert fields["outcome"] == "agent_answered"
    assert fields["failure_reason"] == "daemon stopped while the caller was talking to agent 002"
    assert (fields["agent_id"], fields["agent_extension"]) == ("002", "1002")
    assert fields["talk_started_at"] == at(21.5)
    assert (fields["agents_rung"], fields["ring_time_s"]) == (2, 3.75)
    assert "talk_s" not in fields and fields["ended_at"] == NOW


def test_talk_that_ended_keeps_talk_s_and_the_agent_survey():
    events = [
        *QUEUED,
        offer(6, "001", 1),
        ring_end(9, "answer", "001", 3.0),
        (at(70), "call_end", {"talk_s": 61.0, "agent_id": "001"}),
        (at(75), "survey", {"score": 5, "agent_id": "001"}),
    ]
    fields = close_orphan(INBOUND, events, NOW)
    assert (fields["outcome"], fields["talk_s"], fields["survey_score"]) == ("agent_answered", 61.0, 5)
    assert fields["survey_source"] == "agent"
    assert fields["failure_reason"] == "daemon stopped after the caller talked to agent 001"
    assert "agent_extension" not in fields  # no site agents given: unknown


def test_abandon_seen_by_the_acd_is_the_outcome_at_its_instant():
    events = [
        *QUEUED,
        offer(6, "001", 1),
        (at(8), "abandon", {"phase": "ringing", "wait_s": 2.5, "offers": 1, "agent_id": "001"}),
    ]
    fields = close_orphan(INBOUND, events, NOW)
    assert (fields["outcome"], fields["ended_at"]) == ("abandoned_ringing", at(8))
    queue_only = [
        *QUEUED,
        (at(30), "abandon", {"phase": "queue", "wait_s": 24.5, "offers": 0, "agent_id": None}),
    ]
    assert close_orphan(INBOUND, queue_only, NOW)["outcome"] == "abandoned_queue"


def test_message_and_callback_chosen_in_the_queue():
    left = [
        *QUEUED,
        (at(40), "message_left", {"phase": "queue", "wait_s": 34, "offers": 0, "agent_id": None}),
        (at(70), "message_left", {"path": "/rec/message-c.1-q.wav", "position": 1}),
    ]
    fields = close_orphan(INBOUND, left, NOW)
    assert (fields["outcome"], fields["message_path"]) == ("message_left", "/rec/message-c.1-q.wav")
    back = [
        *QUEUED,
        (at(40), "callback_requested", {"phase": "queue", "wait_s": 34, "offers": 0, "agent_id": None}),
    ]
    assert close_orphan(INBOUND, back, NOW)["outcome"] == "callback_requested"


def test_a_message_recorded_in_the_menu_counts_only_if_never_queued():
    recorded = (at(30), "recorded", {"purpose": "message", "path": "/rec/message-c.1-1.wav", "seconds": 9.0})
    fields = close_orphan(INBOUND, [*MENU, recorded], NOW)
    assert (fields["outcome"], fields["message_path"]) == ("message_left", "/rec/message-c.1-1.wav")
    assert close_orphan(INBOUND, [*MENU, recorded, *QUEUED], NOW)["outcome"] == "failed"


def test_ivr_survey_digit_key_is_the_score():
    events = [*MENU, (at(5), "survey", {"node": "survey", "key": "4"})]
    fields = close_orphan(INBOUND, events, NOW)
    assert (fields["survey_score"], fields["survey_source"]) == (4, "ivr")


def test_the_last_survey_decides_score_and_scale_together():
    menu_then_agent = [
        (at(5), "survey", {"node": "survey", "key": "1"}),
        (at(9), "survey", {"score": 3, "agent_id": "001"}),
    ]
    fields = close_orphan(INBOUND, menu_then_agent, NOW)
    assert (fields["survey_score"], fields["survey_source"]) == (3, "agent")
    unreadable_last = [*menu_then_agent, (at(12), "survey", {"node": "survey", "key": "#"})]
    fields = close_orphan(INBOUND, unreadable_last, NOW)
    assert "survey_score" not in fields and "survey_source" not in fields


def test_outbound_calls_stay_failed_but_keep_their_facts():
    outbound = {**INBOUND, "direction": "outbound"}
    events = [*QUEUED, offer(6, "001", 1), ring_end(9, "answer", "001", 3.0)]
    fields = close_orphan(outbound, events, NOW)
    assert (fields["outcome"], fields["agent_id"]) == ("failed", "001")


def test_events_of_other_shapes_are_ignored_not_fatal():
    events = [
        (at(1), "answer", {"agent_id": 17}),
        (at(2), "queued", {"wait_s": "soon"}),
        (at(3), "survey", {"key": "*"}),
        (at(4), "dialer_key", {"key": "1"}),
        (at(5), "ivr_step", "x"),
    ]
    fields = close_orphan(INBOUND, events, NOW)
    assert fields["outcome"] in OUTCOMES
    assert fields.get("survey_score") is None and fields.get("survey_source") is None


EVENT = st.tuples(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2025, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(
        [
            "ivr_step",
            "queued",
            "offer",
            "answer",
            "no_answer",
            "busy",
            "unavailable",
            "abandon",
            "message_left",
            "callback_requested",
            "call_end",
            "survey",
            "recorded",
            "agent_state",
        ]
    ),
    st.dictionaries(
        st.sampled_from(
            [
                "node",
                "key",
                "agent_id",
                "wait_s",
                "ring_s",
                "talk_s",
                "phase",
                "score",
                "path",
                "purpose",
                "category",
                "priority",
            ]
        ),
        st.one_of(st.none(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=5)),
    ),
)


@given(st.lists(EVENT, max_size=12), st.sampled_from(["inbound", "outbound"]))
def test_any_event_sequence_gives_one_known_outcome_and_a_reason(events, direction):
    fields = close_orphan({**INBOUND, "direction": direction}, events, NOW)
    assert fields["outcome"] in OUTCOMES and fields["failure_reason"].startswith("daemon stopped")
    assert fields["ended_at"] <= NOW
