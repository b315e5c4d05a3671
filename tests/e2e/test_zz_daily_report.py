"""Runs after the other e2e tests (file order): today's report over the calls they made."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest
from e2e_setup import rows_for

from hotline.reports.period import day_period, zone
from hotline.reports.report import build_report
from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls
from lab.caller_steps import Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e
TZ = zone("Asia/Shanghai")


async def test_todays_report_matches_the_calls_the_e2e_tests_made(hotline_lab, daemon):
    cfg = hotline_lab[1]
    settings = load_settings(cfg)
    assert (await call(caller="13900009001", steps=[Wait(2.0)])).ok  # at least one, if run alone
    await rows_for(settings.database.url, "13900009001")
    engine = make_engine(settings.database.url)
    try:
        rows = await fetch_calls(engine)
        today = datetime.now(TZ).date()
        mine = [
            r
            for r in rows
            if r.direction == "inbound"
            and r.outcome is not None
            and r.started_at.astimezone(TZ).date() == today
        ]
        assert mine  # in a full run: every call of the suites above
        expected = Counter(r.outcome for r in mine)
        report = await build_report(engine, day_period(today, TZ), company=settings.company)
    finally:
        await engine.dispose()
    got = {k: v for k, v in report.stats.inbound_outcomes.items() if v}
    assert got == dict(expected), (got, expected)  # outcome by outcome
    assert report.stats.center.blocked == expected["blocked"]
    # calls the fallback dialplan took (the fault tests kill the daemon) count as answered when an
    # agent took them
    fallback_answered = sum(1 for r in mine if r.outcome == "fallback" and r.agent_id)
    assert report.stats.center.answered == expected["agent_answered"] + fallback_answered
    assert (report.stats.center.fallback, report.stats.center.fallback_answered) == (
        expected["fallback"],
        fallback_answered,
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotline.cli",
            "report",
            "--day",
            today.isoformat(),
            "--format",
            "json",
            "-c",
            str(cfg),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    exported = json.loads(proc.stdout)["inbound_outcomes"]
    assert {k: v for k, v in exported.items() if v} == dict(expected)
