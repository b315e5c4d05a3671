"""call_counts: what the report's SQL counts for one inbound call, counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.live_classify import agent_of_event, call_counts, minus

TH = Thresholds()
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
S = timedelta(seconds=1)
US = timedelta(microseconds=1)


def row(outcome: str | None, **kw) -> dict:
    return {"uniqueid": "u", "direction": "inbound", "started_at": T0, "outcome": outcome, **kw}


def answered(wait: timedelta, **kw) -> dict:
    q = T0 + 30 * S
    return row("agent_answered", queued_at=q, talk_started_at=q + wait, talk_s=100.5, agent_id="001", **kw)


def test_answered_exactly_at_the_target_is_within():
    c = call_counts(answered(12 * S), TH)
    assert c == Counts(
        inbound=1,
        offered=1,
        answered=1,
        answered_within=1,
        wait_n=1,
        wait_sum_s=12.0,
        talk_n=1,
        talk_sum_s=100.5,
    )


def test_answered_a_microsecond_late_is_not_within():
    c = call_counts(answered(12 * S + US), TH)
    assert (c.answered, c.answered_within, c.wait_n) == (1, 0, 1)
    assert c.wait_sum_s == pytest.approx(12.000001)


def test_abandon_just_under_5_s_is_short_and_within():
    q = T0 + 30 * S
    c = call_counts(row("abandoned_queue", queued_at=q, ended_at=q + 4.9 * S), TH)
    assert c == Counts(inbound=1, offered=1, abandoned=1, abandoned_within=1, short_abandoned=1)


def test_abandon_at_exactly_5_s_is_not_short():
    q = T0 + 30 * S
    c = call_counts(row("abandoned_ringing", queued_at=q, ended_at=q + 5 * S), TH)
    assert (c.abandoned, c.abandoned_within, c.short_abandoned) == (1, 1, 0)
    c = call_counts(row("abandoned_ringing", queued_at=q, ended_at=q + 5 * S - US), TH)
    assert c.short_abandoned == 1


def test_abandon_without_queue_time_is_neither_within_nor_short():
    c = call_counts(row("abandoned_queue", ended_at=T0 + 40 * S), TH)
    assert c == Counts(inbound=1, offered=1, abandoned=1)


def test_fallback_with_an_agent_is_answered_but_not_timed():
    c = call_counts(row("fallback", agent_id="002", talk_s=30.0, ended_at=T0 + 60 * S), TH)
    assert c == Counts(
        inbound=1, offered=1, answered=1, talk_n=1, talk_sum_s=30.0, fallback=1, fallback_answered=1
    )


def test_fallback_without_an_agent_is_offered_unanswered():
    c = call_counts(row("fallback", ended_at=T0 + 60 * S), TH)
    assert c == Counts(inbound=1, offered=1, fallback=1)
    assert c.unanswered == 1


def test_blocked_counts_apart_and_its_survey_still_counts():
    c = call_counts(row("blocked", ended_at=T0, survey_score=3), TH)
    assert c == Counts(inbound=1, blocked=1, survey_n=1, survey_sum=3)
    assert c.handled == 0


def test_in_progress_even_with_a_queue_time_is_not_offered():
    c = call_counts(row(None, queued_at=T0 + 5 * S), TH)
    assert c == Counts(inbound=1, in_progress=1)


def test_ivr_only_and_messages_after_the_queue():
    assert call_counts(row("ivr_only", survey_score=5), TH) == Counts(inbound=1, survey_n=1, survey_sum=5)
    c = call_counts(row("message_left", queued_at=T0 + 5 * S, ended_at=T0 + 60 * S), TH)
    assert c == Counts(inbound=1, offered=1)


def test_answered_without_talk_or_queue_times():
    c = call_counts(row("agent_answered", agent_id="001"), TH)
    assert c == Counts(inbound=1, offered=1, answered=1)


def test_other_thresholds_are_used():
    c = call_counts(answered(15 * S), Thresholds(answer_target_s=20, short_abandon_s=3))
    assert c.answered_within == 1


def test_minus_undoes_a_sum():
    a, b = call_counts(answered(3 * S), TH), call_counts(row(None), TH)
    assert minus(a + b, b) == a


@pytest.mark.parametrize(
    ("data", "agent"),
    [
        ({"agent_id": "001"}, "001"),
        ({}, None),
        ({"agent_id": None}, None),
        ("x", None),
        ({"agent_id": 7}, "7"),
    ],
)
def test_agent_of_event(data, agent):
    assert agent_of_event({"data": data}) == agent
