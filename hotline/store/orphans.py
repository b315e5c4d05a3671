"""Close a call the daemon never ended (it was killed mid-call) from what its events say. Pure.

`close_orphan(call, events, now)` folds the call's `call_events` (oldest first) into the columns
its own end would have set, as far as the events tell:

    ivr_path                        the data of every "ivr_step" event, in order
    business_category, priority     the "queued" event (the ACD's category and priority)
    queued_at                       the "queued" event's time minus its wait_s
    agents_rung                     the number of "offer" events
    ring_time_s                     the ring_s of every ring that ended (answer/no_answer/busy/unavailable)
    agent_id, talk_started_at       the "answer" event: its agent and its time
    agent_extension                 that agent's extension in `extensions` (the site's agents), if given
    talk_s                          the "call_end" event
    survey_score, survey_source     the last "survey" event: the agent survey's score ("agent",
                                    keys 1-5) or a menu survey's key ("ivr", keys 1-3)
    message_path                    a "message_left" event's path, else the first "recorded" event's path

The outcome is the first rule that holds:

    1. an agent answered ("answer")                          agent_answered (the caller did talk: it
                                                             counts in 接通率, as it should)
    2. the ACD saw the caller hang up ("abandon")             abandoned_queue / abandoned_ringing
    3. the caller chose a message or a callback in the queue  message_left / callback_requested
    4. never queued, left a voice message in the menu        message_left
    5. never queued, hung up in the menu (step key "hangup")  ivr_only
    6. anything else                                          failed: the caller may still have been there

Outbound calls are always `failed` (their outcomes are the called party's answer, which the events
do not tell), with the same fields. `failure_reason` is set on every closed call, saying that the
daemon stopped and where the call was ("... while agent 001 was ringing"), so a record rebuilt here
can be told from one its call closed (talk_s and the true end may be unknown). `ended_at` is the
instant an event gives for the end (rules 2 and 5), else `now`: the call ended at some unknown time
before it. Events of other kinds, or with data of another shape, are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

ORPHAN_REASON = "daemon stopped before the call ended"
RING_ENDS = ("answer", "no_answer", "busy", "unavailable")
Logged = tuple[datetime, str, Any]  # (at, kind, data) of one call event


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _agent(agent_id: str | None) -> str:
    return f"agent {agent_id}" if agent_id else "an agent"


class _Fold:
    """The call as its events leave it; `where` completes "daemon stopped ..."."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.ivr_path: list[Any] = []
        self.where = ""
        self.node: str | None = None
        self.queued = False
        self.offers = 0
        self.ring_s = 0.0
        self.outcome: str | None = None
        self.ended_at: datetime | None = None
        self.recordings: list[str] = []
        self.recorded_message = False

    def on_ivr_step(self, at: datetime, data: Mapping[str, Any]) -> None:
        self.ivr_path.append(dict(data))
        self.node = _text(data, "node") or self.node
        if data.get("key") == "hangup" and not self.queued:
            self.where, self.ended_at = f"after the caller hung up in the menu at node {self.node!r}", at
        else:
            self.where, self.ended_at = f"while the caller was in the menu at node {self.node!r}", None

    def on_queued(self, at: datetime, data: Mapping[str, Any]) -> None:
        self.queued = True
        wait = _number(data, "wait_s")
        self.fields["queued_at"] = (
            at - timedelta(seconds=wait) if wait is not None and abs(wait) < 1e6 else at
        )
        if (category := _text(data, "category")) is not None:
            self.fields["business_category"] = category
        if (priority := _int(data, "priority")) is not None:
            self.fields["priority"] = priority
        self.where = "while the caller was queued for an agent"

    def on_offer(self, at: datetime, data: Mapping[str, Any]) -> None:
        self.offers += 1
        self.where = f"while {_agent(_text(data, 'agent_id'))} was ringing"

    def on_ring_end(self, at: datetime, kind: str, data: Mapping[str, Any]) -> None:
        ring = _number(data, "ring_s")
        self.ring_s += ring if ring is not None and 0 <= ring < 1e6 else 0.0
        if kind != "answer":
            self.where = "while the caller was queued for an agent"
            return
        agent = _text(data, "agent_id")
        self.outcome = "agent_answered"
        self.fields.update(agent_id=agent, talk_started_at=at)
        self.where = f"while the caller was talking to {_agent(agent)}"

    def on_call_end(self, data: Mapping[str, Any]) -> None:
        talk = _number(data, "talk_s")
        if talk is not None and talk >= 0:
            self.fields["talk_s"] = talk
        self.where = f"after the caller talked to {_agent(self.fields.get('agent_id'))}"

    def on_abandon(self, at: datetime, data: Mapping[str, Any]) -> None:
        if self.outcome is None:
            self.outcome = "abandoned_ringing" if data.get("phase") == "ringing" else "abandoned_queue"
            self.where, self.ended_at = "after the caller hung up while waiting for an agent", at

    def on_left(self, kind: str, data: Mapping[str, Any]) -> None:
        if (path := _text(data, "path")) is not None:
            self.fields["message_path"] = path
        if self.outcome is None:
            self.outcome = kind
            self.where = (
                "after the caller chose to leave a message"
                if kind == "message_left"
                else "after the caller booked a callback"
            )

    def on_survey(self, data: Mapping[str, Any]) -> None:
        score, key = _int(data, "score"), _text(data, "key")
        if score is not None:  # the agent survey: {"score", "agent_id"}
            self.fields.update(survey_score=score, survey_source="agent")
        elif (
            key is not None and key.isascii() and key.isdigit() and len(key) < 4
        ):  # the menu's: {"node", "key"}
            self.fields.update(survey_score=int(key), survey_source="ivr")
        else:
            self.fields.update(survey_score=None, survey_source=None)

    def on_recorded(self, data: Mapping[str, Any]) -> None:
        if (path := _text(data, "path")) is not None:
            self.recordings.append(path)
        self.recorded_message |= data.get("purpose") == "message"

    def feed(self, at: datetime, kind: str, data: Mapping[str, Any]) -> None:
        if kind == "ivr_step":
            self.on_ivr_step(at, data)
        elif kind == "queued":
            self.on_queued(at, data)
        elif kind == "offer":
            self.on_offer(at, data)
        elif kind in RING_ENDS:
            self.on_ring_end(at, kind, data)
        elif kind == "call_end":
            self.on_call_end(data)
        elif kind == "abandon":
            self.on_abandon(at, data)
        elif kind in ("message_left", "callback_requested"):
            self.on_left(kind, data)
        elif kind == "survey":
            self.on_survey(data)
        elif kind == "recorded":
            self.on_recorded(data)


def _outcome(fold: _Fold, direction: Any) -> str:
    if direction != "inbound":
        return "failed"
    if fold.outcome is not None:
        return fold.outcome
    if not fold.queued and fold.recorded_message:
        return "message_left"
    if not fold.queued and fold.ended_at is not None:
        return "ivr_only"  # the menu saw the caller hang up
    return "failed"


def close_orphan(
    call: Mapping[str, Any],
    events: Iterable[Logged],
    now: datetime,
    extensions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The columns to set on the open call `call` (its `direction` is read), given its events
    (at, kind, data) oldest first; `now` is when it is closed (see the module's rules)."""
    fold = _Fold()
    for at, kind, data in events:
        if isinstance(data, Mapping) and isinstance(at, datetime):
            fold.feed(at, kind, data)
    outcome = _outcome(fold, call.get("direction"))
    ended_at = fold.ended_at if outcome in ("abandoned_queue", "abandoned_ringing", "ivr_only") else None
    fields: dict[str, Any] = {
        "outcome": outcome,
        "failure_reason": f"daemon stopped {fold.where}" if fold.where else ORPHAN_REASON,
        "ended_at": min(ended_at, now) if ended_at is not None else now,
    }
    if fold.ivr_path:
        fields["ivr_path"] = fold.ivr_path
    if fold.queued or fold.offers:
        fields.update(agents_rung=fold.offers, ring_time_s=round(fold.ring_s, 3))
    if fold.recordings and "message_path" not in fold.fields:
        fields["message_path"] = fold.recordings[0]
    fields.update(fold.fields)
    agent = fields.get("agent_id")
    if agent is not None and extensions and agent in extensions:
        fields["agent_extension"] = extensions[agent]
    return {k: v for k, v in fields.items() if v is not None}
