"""Runs after the other e2e tests (file order): today's report over the calls they made."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest
from browser import chromium, require_browser, screenshot, wait_for
from e2e_setup import rows_for
from polling import until
from test_web_console import LINK_STATE, PASSWORD, SHOTS, add_user, kpi, log_in

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


def _report_center(cfg, day: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "report", "--day", day, "--format", "json", "-c", str(cfg)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["center"]


def _same_figures(live: dict, report: dict) -> bool:
    """Field by field: counts exactly; talk seconds and their rates up to float rounding (the
    wallboard adds call by call, SQL in its own order); waits to the millisecond per call
    (SQLite measures them with julianday, to the millisecond)."""
    if live.keys() != report.keys():
        return False
    for key, want in report.items():
        got = live[key]
        if not (isinstance(want, float) or isinstance(got, float)):
            if got != want:
                return False
            continue
        if want is None or got is None:
            return False
        slack = {"wait_sum_s": 0.002 * max(1, report["wait_n"]), "asa_s": 0.002}.get(
            key, 1e-9 * max(1.0, abs(want))
        )
        if abs(got - want) > slack:
            return False
    return True


async def test_the_wallboards_today_equals_the_day_report_in_the_browser(hotline_lab, daemon):
    """After every e2e call (and the daemon restarts of the fault tests), the supervisor's
    wallboard shows today's figures equal to `hotline report --day` field by field."""
    require_browser()
    cfg = hotline_lab[1]
    add_user(cfg, "banzhang", "--role", "supervisor", "--name", "值班长")
    day = datetime.now(TZ).date().isoformat()
    with chromium() as driver:
        await asyncio.to_thread(log_in, driver, "banzhang", PASSWORD, "/wallboard?mode=wall")
        await asyncio.to_thread(
            wait_for,
            driver,
            lambda d: d.execute_script(LINK_STATE) == "实时",
            10,
        )
        fetch_state = "return fetch('/wallboard/state').then(r => r.json())"
        live: dict = {}
        report: dict = {}

        async def equal() -> bool:
            live.update((await asyncio.to_thread(driver.execute_script, fetch_state))["today"]["counts"])
            report.update(await asyncio.to_thread(_report_center, cfg, day))
            return _same_figures(live, report)

        await until(equal, 15, "the wallboard's figures equal to the day report")
        shown = {k: kpi(driver, k) for k in ("inbound", "offered", "answered", "blocked")}
        screenshot(driver, SHOTS / "wallboard-wall-end-of-e2e.png")
    assert shown == {k: report[k] for k in shown}, (shown, report)
    print(f"\nwallboard = day report over {report['inbound']} inbound calls: {live}")
