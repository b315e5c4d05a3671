"""Generated calls for bench/report_month.py (one month: 2026-11, Asia/Shanghai) and
bench/report_year.py (any period: `generate(total, period)`).

Seed 002's mix: 3 % outbound; of the inbound 0.5 % blocked, ~16 % IVR-only, ~82 % answered by
one of 30 agents, ~2 % unanswered (abandons, messages, callbacks); a daytime traffic curve;
~3.7 call_events per call (2 IVR steps, the ACD's offer / answer / no_answer). The same seed
every run, so every run loads the same data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta

from hotline.reports.period import Period, month_period, zone

TZ = zone("Asia/Shanghai")
PERIOD = month_period(2026, 11, TZ)
CHUNK = 20_000
AGENTS = [f"{i:03d}" for i in range(1, 31)]
AGENT_NAMES = [(a, f"座席{a}") for a in AGENTS]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 10, 14, 15, 13, 10, 8, 7, 6, 4, 2, 1]
IVR_CATS = {
    "outage_query": 46.3,
    "complaint": 20.7,
    "bill_query": 12.3,
    "policy": 8.5,
    "business": 5.9,
    "survey": 2.4,
    "message": 4.0,
}
AGENT_CATS = {
    "consultation": 21.0,
    "information_query": 29.0,
    "fault_repair": 11.2,
    "new_connection": 0.3,
    "complaint": 0.4,
    "theft_report": 0.3,
    "other": 37.2,
}
UNANSWERED = {"abandoned_queue": 55, "abandoned_ringing": 25, "message_left": 10, "callback_requested": 10}
OUTBOUND = {"answered": 70, "no_answer": 15, "busy": 10, "cancelled": 4, "failed": 1}
CALL_COLS = (
    "uniqueid",
    "direction",
    "trunk",
    "caller_number",
    "dnid",
    "started_at",
    "answered_at",
    "ended_at",
    "outcome",
    "ivr_path",
    "menu_version",
    "business_category",
    "priority",
    "queued_at",
    "agents_rung",
    "ring_time_s",
    "agent_id",
    "agent_extension",
    "talk_started_at",
    "talk_s",
    "survey_score",
)
EVENT_COLS = ("call_uniqueid", "at", "kind", "data")
SECOND = timedelta(seconds=1)

Row = tuple[object, ...]  # values in CALL_COLS order
Event = tuple[str, datetime, str, str]  # values in EVENT_COLS order


def generate(total: int, period: Period = PERIOD) -> Iterator[tuple[list[Row], list[Event]]]:
    """Chunks of (call rows, event rows) in start order over `period`'s local days; the same
    data on every run."""
    rng = random.Random(95598)
    calls: list[Row] = []
    events: list[Event] = []
    n = 0
    for hour_start, count in _per_hour(total, period):
        offsets = sorted(rng.uniform(0, 3600) for _ in range(count))
        for off in offsets:
            n += 1
            calls.append(_call(rng, f"b{n}", (hour_start + timedelta(seconds=off)).astimezone(UTC), events))
            if len(calls) == CHUNK:
                yield calls, events
                calls, events = [], []
    if calls:
        yield calls, events


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _per_hour(total: int, period: Period) -> list[tuple[datetime, int]]:
    """(local hour start, calls) over the period's days, summing exactly to `total`."""
    hours = [
        (datetime.combine(d, datetime.min.time(), period.tz) + timedelta(hours=h), HOUR_WEIGHTS[h])
        for d in period.days
        for h in range(24)
    ]
    weight = sum(w for _, w in hours)
    exact = [(t, total * w / weight) for t, w in hours]
    counts = [int(x) for _, x in exact]
    for i in sorted(range(len(exact)), key=lambda i: exact[i][1] - counts[i], reverse=True)[
        : total - sum(counts)
    ]:
        counts[i] += 1
    return [(t, n) for (t, _), n in zip(exact, counts, strict=True)]


def _call(rng: random.Random, uid: str, t0: datetime, events: list[Event]) -> Row:
    row: dict[str, object] = dict.fromkeys(CALL_COLS)
    row.update(
        uniqueid=uid,
        started_at=t0,
        dnid="95598",
        caller_number=f"139{rng.randrange(10**8):08d}",
        ivr_path="[]",
        priority=0,
        agents_rung=0,
    )
    if rng.random() < 0.03:
        _outbound(rng, row, t0)
    else:
        _inbound(rng, row, uid, t0, events)
    return tuple(row.values())


def _outbound(rng: random.Random, row: dict[str, object], t0: datetime) -> None:
    outcome = _pick(rng, OUTBOUND)
    agent = rng.choice(AGENTS)
    talk = rng.lognormvariate(4.5, 0.6) if outcome == "answered" else None
    row.update(
        direction="outbound",
        trunk="outbound",
        outcome=outcome,
        agent_id=agent,
        talk_s=talk,
        ended_at=t0 + SECOND * (20 + (talk or 0)),
    )


def _inbound(rng: random.Random, row: dict[str, object], uid: str, t0: datetime, events: list[Event]) -> None:
    row.update(direction="inbound", trunk="PJSIP/fxo-gw")
    r = rng.random()
    if r < 0.005:
        row.update(outcome="blocked", ended_at=t0)
        return
    ivr_s = rng.uniform(15, 90)
    row.update(answered_at=t0 + SECOND * 0.4, menu_version="3:ab12cd")
    events += [
        (uid, t0 + SECOND * 2, "ivr_step", '{"node": "main", "key": "1"}'),
        (uid, t0 + SECOND * 9, "ivr_step", '{"node": "sub", "key": "2"}'),
    ]
    if r < 0.007 or r < 0.166:
        category = _pick(rng, IVR_CATS)
        row.update(
            outcome="failed" if r < 0.007 else "ivr_only",
            business_category=category,
            ended_at=t0 + SECOND * ivr_s,
            survey_score=rng.randint(1, 5) if category == "survey" else None,
        )
        row["ivr_path"] = json.dumps([{"node": "main"}, {"node": category}])
        return
    _queued(rng, row, uid, t0 + SECOND * ivr_s, events)


def _queued(
    rng: random.Random, row: dict[str, object], uid: str, queued: datetime, events: list[Event]
) -> None:
    row.update(queued_at=queued, business_category=_pick(rng, AGENT_CATS))
    first, agent = rng.sample(AGENTS, 2)
    if rng.random() < 0.021:
        outcome = _pick(rng, UNANSWERED)
        wait = rng.expovariate(1 / 25)
        events.append((uid, queued + SECOND, "offer", f'{{"agent_id": "{first}"}}'))
        if outcome in ("message_left", "callback_requested"):
            events.append((uid, queued + SECOND * 13, "no_answer", f'{{"agent_id": "{first}"}}'))
        row.update(outcome=outcome, ended_at=queued + SECOND * wait, agents_rung=1)
        return
    wait = min(rng.expovariate(1 / 6), 120)
    if rng.random() < 0.1:  # the first agent let it ring 4 times
        events += [
            (uid, queued, "offer", f'{{"agent_id": "{first}"}}'),
            (uid, queued + SECOND * 12, "no_answer", f'{{"agent_id": "{first}"}}'),
        ]
        wait += 12
    talk_at = queued + SECOND * wait
    talk = rng.lognormvariate(5.0, 0.6)
    events += [
        (uid, talk_at - SECOND * 3, "offer", f'{{"agent_id": "{agent}"}}'),
        (uid, talk_at, "answer", f'{{"agent_id": "{agent}"}}'),
    ]
    row.update(
        outcome="agent_answered",
        agent_id=agent,
        agent_extension=f"1{agent}",
        talk_started_at=talk_at,
        talk_s=round(talk, 3),
        ended_at=talk_at + SECOND * talk,
        agents_rung=1 + (wait >= 12),
        ring_time_s=3.0,
        survey_score=rng.randint(3, 5) if rng.random() < 0.3 else None,
    )
