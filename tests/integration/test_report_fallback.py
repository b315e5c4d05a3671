"""The day report counts the calls the fallback dialplan took while the daemon was down (outcome
`fallback`, recorded from Asterisk's CDR ledger): offered to agents, answered when an agent took
one, shown as "fallback" in every format. SQLite and PostgreSQL (the `db_url` fixture)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from report_day import SHANGHAI, S, at, call
from rich.console import Console
from sqlalchemy import insert

from hotline.reports.export import to_csv, to_json
from hotline.reports.html import render_html
from hotline.reports.period import day_period
from hotline.reports.report import build_report
from hotline.reports.text import print_report
from hotline.store.db import make_engine, upgrade
from hotline.store.models import Call

DAY = day_period(datetime(2026, 11, 23).date(), SHANGHAI)


def fallback(
    uid: str,
    start: str,
    *,
    agent: str | None = None,
    talk: float | None = None,
    queued: float | None = None,
    picked_up: float = 10,
) -> dict:
    """A `fallback` row as the ledger reconciliation writes it (queued: an orphan the daemon had
    queued before the fallback took it over)."""
    row = call(uid, start, "fallback")
    t0 = at(start)
    row.update(
        queued_at=None if queued is None else t0 + queued * S,
        agent_id=agent,
        talk_s=talk,
        talk_started_at=t0 + picked_up * S if agent else None,
    )
    return row


CALLS = [
    call(
        "a1",
        "2026-11-23 09:00:00",
        "agent_answered",
        queued=30,
        wait=5 * S,
        talk=100,
        agent="001",
        category="consultation",
    ),
    call("i1", "2026-11-23 09:30:00", "ivr_only", category="outage_query"),
    fallback("f1", "2026-11-23 10:00:00", agent="002", talk=60),  # rang all, 002 took it
    fallback("f2", "2026-11-23 10:05:00"),  # rang all, the caller gave up
    fallback("f3", "2026-11-23 10:10:00", agent="001", talk=40, queued=20, picked_up=28),  # 8 s in the queue
]


@pytest.fixture
async def engine(engine):
    """The shared migrated store (tests/conftest.py) holding CALLS."""
    async with engine.begin() as conn:
        await conn.execute(insert(Call), CALLS)
    return engine


async def test_the_day_report_counts_fallback_answered_calls(engine):
    report = await build_report(engine, DAY, company="平安县", agents=[("001", None), ("002", None)])
    s = report.stats
    c = s.center
    assert (c.inbound, c.offered, c.ivr_only, c.answered, c.unanswered) == (5, 4, 1, 3, 1)
    assert (c.fallback, c.fallback_answered) == (3, 2)
    assert c.connect_rate == pytest.approx(3 / 4)
    assert (c.answered_within, c.wait_n) == (2, 2)  # a1 and f3: f1's wait is not measured
    assert (c.talk_n, c.talk_sum_s) == (3, 200.0)
    assert s.inbound_outcomes["fallback"] == 3 and s.inbound_outcomes["agent_answered"] == 1
    assert sum(s.inbound_outcomes.values()) == c.inbound
    assert [(x.key, x.calls) for x in s.ivr_functions if x.calls] == [
        ("outage_query", 1)
    ]  # fallback is no self-service
    assert {a.agent_id: (a.answered, a.talk_sum_s) for a in s.agents} == {"001": (2, 140.0), "002": (1, 60.0)}
    assert dict((h, x.fallback) for h, x in s.by_hour if x.fallback) == {10: 3}

    doc = json.loads(to_json(report))
    assert (doc["center"]["fallback"], doc["center"]["fallback_answered"]) == (3, 2)
    assert doc["inbound_outcomes"]["fallback"] == 3
    cells = {(r[0], r[1], r[2]): r[3] for r in csv.reader(io.StringIO(to_csv(report)))}
    assert cells[("center", "", "fallback")] == "3" and cells[("inbound_outcome", "fallback", "calls")] == "3"
    page = render_html(report)
    assert "<td>应急振铃(系统停机时)</td><td>3</td><td>其中人工接听2次" in page
    console = Console(record=True, width=200)
    print_report(report, console)
    text = console.export_text()
    assert "应急振铃(系统停机时)" in text and "其中人工接听2次" in text


async def test_a_day_without_fallback_calls_says_zero(db_url):
    await upgrade(db_url)
    eng = make_engine(db_url)
    try:
        async with eng.begin() as conn:
            await conn.execute(insert(Call), CALLS[:2])
        report = await build_report(eng, DAY, company="平安县")
    finally:
        await eng.dispose()
    assert (report.stats.center.fallback, report.stats.center.answered) == (0, 1)
    assert "fallback" not in report.stats.inbound_outcomes
    assert json.loads(to_json(report))["center"]["fallback"] == 0
