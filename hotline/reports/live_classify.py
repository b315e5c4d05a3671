"""What the report's SQL counts for ONE `calls` row, computed in Python (the live figures).

`call_counts(row, thresholds)` mirrors slot_query.py's aggregates for a single inbound call, so
that adding it up over a day's calls gives exactly `compute_stats(...).center` (counts exactly;
the float sums to the sums' rounding, and `wait_sum_s` to SQLite's millisecond, see sql_time.py).
Waits are compared with the thresholds like sql_time.py does: exact to the microsecond, `<=` for
"within the target" (12.000000 s is within, 12.000001 s is not), `<` for a short abandon
(4.999999 s is short, 5.000000 s is not); a missing timestamp makes the comparison false.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.slot_query import ABANDONED, AFTER_TRANSFER_ONLY, FALLBACK
from hotline.reports.sql_time import EPSILON_S

Row = Mapping[str, Any]


def wait_s(later: datetime | None, earlier: datetime | None) -> float | None:
    """`later - earlier` in seconds, None if either is missing (SQL: NULL)."""
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds()


def at_most(later: datetime | None, earlier: datetime | None, limit_s: float) -> bool:
    """later - earlier <= limit_s to the microsecond (sql_time.wait_at_most)."""
    wait = wait_s(later, earlier)
    return wait is not None and wait <= float(limit_s) + EPSILON_S


def less_than(later: datetime | None, earlier: datetime | None, limit_s: float) -> bool:
    """later - earlier < limit_s to the microsecond (sql_time.wait_less_than)."""
    wait = wait_s(later, earlier)
    return wait is not None and wait < float(limit_s) - EPSILON_S


def is_offered(row: Row) -> bool:
    """slot_query.offered_condition: the call asked for an agent (or the fallback rang them)."""
    outcome = row.get("outcome")
    if outcome is None or outcome == "blocked":
        return False
    return row.get("queued_at") is not None or outcome in (*AFTER_TRANSFER_ONLY, FALLBACK)


def is_answered(row: Row) -> bool:
    """slot_query.answered_condition: answered through the ACD, or in the fallback by a known agent."""
    outcome = row.get("outcome")
    return outcome == "agent_answered" or (outcome == FALLBACK and row.get("agent_id") is not None)


def _answer_part(row: Row, th: Thresholds) -> dict[str, Any]:
    talk_at, queued = row.get("talk_started_at"), row.get("queued_at")
    wait = wait_s(talk_at, queued)
    talk = row.get("talk_s")
    fallback = row.get("outcome") == FALLBACK
    return {
        "answered": 1,
        "answered_within": int(at_most(talk_at, queued, th.answer_target_s)),
        "wait_n": int(wait is not None),
        "wait_sum_s": wait if wait is not None else 0.0,
        "talk_n": int(talk is not None),
        "talk_sum_s": float(talk) if talk is not None else 0.0,
        "fallback_answered": int(fallback),
    }


def _abandon_part(row: Row, th: Thresholds) -> dict[str, Any]:
    ended, queued = row.get("ended_at"), row.get("queued_at")
    return {
        "abandoned": 1,
        "abandoned_within": int(at_most(ended, queued, th.answer_target_s)),
        "short_abandoned": int(less_than(ended, queued, th.short_abandon_s)),
    }


def call_counts(row: Row, thresholds: Thresholds) -> Counts:
    """The Counts one inbound call row contributes to its interval (the caller checks that it is
    inbound and started in the interval). Missing keys are NULL columns."""
    outcome = row.get("outcome")
    survey = row.get("survey_score")
    values: dict[str, Any] = {
        "inbound": 1,
        "blocked": int(outcome == "blocked"),
        "in_progress": int(outcome is None),
        "offered": int(is_offered(row)),
        "survey_n": int(survey is not None),
        "survey_sum": int(survey) if survey is not None else 0,
        "fallback": int(outcome == FALLBACK),
    }
    if is_answered(row):
        values.update(_answer_part(row, thresholds))
    if outcome in ABANDONED:
        values.update(_abandon_part(row, thresholds))
    return Counts(**values)


def minus(a: Counts, b: Counts) -> Counts:
    """a - b field by field (to replace a call's contribution when it ends)."""
    return Counts(**{name: getattr(a, name) - getattr(b, name) for name in Counts.__dataclass_fields__})


def agent_of_event(values: Row) -> str | None:
    """The 工号 of a `call_events` row (data.agent_id), as the report's JSON extraction reads it:
    events without one are left out."""
    data = values.get("data")
    agent = data.get("agent_id") if isinstance(data, Mapping) else None
    if agent is None or isinstance(agent, (bool, dict, list)):
        return None
    return str(agent)
