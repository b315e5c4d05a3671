"""The pure fold of agent state changes into logged-in and pause time (hotline/reports/pause.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.reports.pause import AgentTime, StateChange, agent_times, parse_label, reason_order

T0 = datetime(2026, 11, 23, tzinfo=UTC)
END = T0 + timedelta(days=1)


def c(event_id: int, minutes: float, to: str, agent: str = "001") -> StateChange:
    return StateChange(event_id, T0 + timedelta(minutes=minutes), agent, to)


def test_labels():
    assert parse_label("paused(no answer)", 1) == ("paused", "no answer")
    assert parse_label("paused()", 1) == ("paused", "")
    assert parse_label("wrap_up", 1) == ("wrap_up", None)
    for bad in ("paused", "Ready", "", None, 3):
        with pytest.raises(ValueError, match="call_events row 7: agent_state 'to' is"):
            parse_label(bad, 7)


def test_known_reasons_first_then_the_others_by_name():
    assert reason_order(["zz", "other", "break", "no answer", "aa", "break"]) == [
        "no answer",
        "break",
        "other",
        "aa",
        "zz",
    ]


def test_intervals_are_clipped_and_only_the_last_change_before_the_start_counts():
    changes = [
        c(1, -600, "paused(training)"),
        c(2, -120, "ready"),
        c(3, -60, "paused(break)"),
        c(4, 30, "ready"),
        c(5, 60, "logged_out"),
        c(6, 90, "ready"),
        c(7, 23 * 60, "paused(meeting)"),
    ]
    assert agent_times(changes, T0, END) == {
        "001": AgentTime(
            logged_in_s=(60 + 22.5 * 60) * 60.0,
            paused_s=(30 + 60) * 60.0,
            paused_by_reason={"break": 1800.0, "meeting": 3600.0},
        )
    }


def test_same_instant_changes_follow_their_event_ids():
    changes = [c(11, 10, "logged_out"), c(10, 10, "paused(break)"), c(9, 0, "ready")]
    assert agent_times(changes, T0, END)["001"] == AgentTime(600.0, 0.0, {})


def test_nothing_counts_before_the_first_change_or_after_until():
    changes = [c(1, 60, "paused(break)"), c(2, 120, "ready", agent="002")]
    assert agent_times(changes, T0, T0 + timedelta(minutes=90)) == {
        "001": AgentTime(1800.0, 1800.0, {"break": 1800.0}),
        "002": AgentTime(),
    }
    assert agent_times([], T0, END) == {}
    with pytest.raises(ValueError, match="is before start"):
        agent_times(changes, END, T0)
