"""The hand-made report day shared by the report tests (the `loaded_engine` fixture holds it).

DAY (2026-11-23, Asia/Shanghai) holds every inbound outcome, the 12 s and 5 s boundaries to the
microsecond, a call crossing midnight, one just after and one just before the day, outbound
calls; test_report_center's expected figures were counted by hand from this table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hotline.reports.period import zone

SHANGHAI = zone("Asia/Shanghai")
S = timedelta(seconds=1)
US = timedelta(microseconds=1)


def at(local: str) -> datetime:
    """'2026-11-23 08:00:00' Shanghai time -> aware UTC."""
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)


def call(
    uid: str,
    start: str,
    outcome: str | None,
    *,
    direction: str = "inbound",
    queued: float | None = None,
    wait: timedelta | None = None,
    talk: float | None = None,
    agent: str | None = None,
    category: str | None = None,
    survey: int | None = None,
) -> dict[str, Any]:
    """A `calls` row; `queued` = seconds after the start; `wait` = queue to talk start (answered)
    or to hang-up (otherwise)."""
    t0 = at(start)
    q = None if queued is None else t0 + queued * S
    answered = outcome in ("agent_answered", "answered")
    talk_at = q + wait if answered and q is not None and wait is not None else None
    end = (
        (talk_at + talk * S)
        if talk_at is not None and talk is not None
        else (q + wait if q is not None and wait is not None else t0 + 60 * S)
    )
    return {
        "uniqueid": uid,
        "direction": direction,
        "started_at": t0,
        "outcome": outcome,
        "ended_at": None if outcome is None else end,
        "queued_at": q,
        "talk_started_at": talk_at,
        "talk_s": talk,
        "agent_id": agent,
        "business_category": category,
        "survey_score": survey,
    }


def event(uid: str, when: datetime, kind: str, agent: str | None) -> dict[str, Any]:
    return {
        "call_uniqueid": uid,
        "at": when,
        "kind": kind,
        "data": {} if agent is None else {"agent_id": agent},
    }


CALLS = [
    call("c1", "2026-11-23 08:00:00", "ivr_only", category="outage_query"),
    call("c2", "2026-11-23 08:10:00", "ivr_only", category="outage_query"),
    call("c3", "2026-11-23 09:05:00", "ivr_only", category="bill_query", survey=5),
    call(
        "c4",
        "2026-11-23 10:00:00",
        "agent_answered",
        queued=30,
        wait=12 * S,
        talk=100,
        agent="001",
        category="consultation",
        survey=4,
    ),  # exactly 12 s: within
    call(
        "c5",
        "2026-11-23 10:30:00",
        "agent_answered",
        queued=30,
        wait=12 * S + US,
        talk=200,
        agent="001",
        category="fault_repair",
    ),  # 12.000001 s: not within
    call(
        "c6",
        "2026-11-23 14:00:00",
        "agent_answered",
        queued=30,
        wait=3 * S,
        talk=60,
        agent="002",
        category="consultation",
    ),
    call("c7", "2026-11-23 14:20:00", "abandoned_queue", queued=30, wait=5 * S - US),  # short, within
    call("c8", "2026-11-23 15:00:00", "abandoned_ringing", queued=30, wait=5 * S),  # not short, within
    call("c9", "2026-11-23 15:10:00", "abandoned_queue", queued=30, wait=30 * S),
    call("c10", "2026-11-23 16:00:00", "message_left", queued=30, wait=40 * S),  # asked for an agent first
    call("c11", "2026-11-23 16:30:00", "callback_requested", queued=30, wait=20 * S),
    call("c12", "2026-11-23 17:00:00", "blocked"),
    call("c13", "2026-11-23 18:00:00", "failed"),  # failed in the IVR: self-service, no category
    call("c14", "2026-11-23 23:59:00", None),  # still in progress
    call("c15", "2026-11-23 19:00:00", "message_left", category="message"),  # the IVR's message node
    call(
        "c16",
        "2026-11-23 23:59:50",
        "agent_answered",
        queued=5,
        wait=14 * S,
        talk=120,
        agent="002",
        category="information_query",
    ),  # answered after midnight: counts on the 23rd
    call("c17", "2026-11-24 00:00:00", "ivr_only", category="policy"),  # local midnight: the 24th
    call("c18", "2026-11-22 23:59:59.999999", "ivr_only", category="policy"),  # the 22nd
    call("o1", "2026-11-23 11:00:00", "answered", direction="outbound", queued=None, talk=30, agent="001"),
    call("o2", "2026-11-23 11:05:00", "busy", direction="outbound"),
    call("o3", "2026-11-23 11:10:00", "blocked", direction="outbound"),
]
CALLS[18].update(talk_s=30.0)  # outbound talk without queue timestamps

EVENTS = [
    event("c4", at("2026-11-23 10:00:30"), "offer", "001"),
    event("c4", at("2026-11-23 10:00:42"), "answer", "001"),
    event("c5", at("2026-11-23 10:30:30"), "offer", "002"),
    event("c5", at("2026-11-23 10:30:42"), "no_answer", "002"),
    event("c5", at("2026-11-23 10:30:42"), "offer", "001"),
    event("c6", at("2026-11-23 14:00:30"), "offer", "002"),
    event("c8", at("2026-11-23 15:00:30"), "offer", "003"),
    event("c10", at("2026-11-23 16:00:30"), "offer", "001"),
    event("c10", at("2026-11-23 16:00:42"), "no_answer", "001"),
    event("c16", at("2026-11-23 23:59:55"), "offer", "001"),
    event("c16", at("2026-11-24 00:00:07"), "no_answer", "001"),  # after midnight: the 24th
    event("c16", at("2026-11-24 00:00:07"), "offer", "002"),
    event("c1", at("2026-11-23 08:00:05"), "ivr_step", None),  # not an offer: ignored
    event("c9", at("2026-11-23 15:10:30"), "offer", None),  # an offer without agent_id: ignored
]
AGENTS = [("001", "座席一"), ("002", None), ("003", None), ("004", "新人")]
