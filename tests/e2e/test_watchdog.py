"""A frozen daemon (SIGSTOP) under `hotline supervise`: the watchdog kills and restarts it, its
stuck callers go on in the fallback and reach an agent, new callers are served by the restarted
daemon, and every call of the day has its one right row."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime

import pytest
import yaml
from daemon_proc import DaemonProc
from polling import until

from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls
from lab.agent_phone import AgentPhone
from lab.caller_steps import Wait
from lab.sipp import call, start_call

pytestmark = pytest.mark.e2e
WATCHDOG_S = 2.0


def supervised_config(hotline_lab, e2e_dir):
    data = yaml.safe_load(hotline_lab[1].read_text(encoding="utf-8"))
    data["liveness"] = {"watchdog_seconds": WATCHDOG_S, "restart_seconds": 0.2}
    data["asterisk"] = {**data.get("asterisk", {}), "cdr_reconcile_seconds": 2}
    path = e2e_dir / "hotline-watchdog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def at(event: dict) -> datetime:
    return datetime.fromisoformat(event["timestamp"])


async def rows(db_url: str, callers: list[str]) -> dict[str, list]:
    engine = make_engine(db_url)
    try:
        calls = await fetch_calls(engine)
    finally:
        await engine.dispose()
    return {c: [r for r in calls if r.caller_number == c] for c in callers}


async def test_a_frozen_daemon_is_killed_restarted_and_its_callers_reach_an_agent(
    hotline_lab, daemon, e2e_dir
):
    cfg = supervised_config(hotline_lab, e2e_dir)
    db_url = load_settings(cfg).database.url
    callers = [f"139000081{i:02d}" for i in range(8)]
    daemon.stop()
    supervised = DaemonProc(cfg, e2e_dir / "daemon-watchdog.log", supervised=True)
    try:
        await asyncio.to_thread(supervised.start)
        (first,) = [e for e in supervised.events() if e.get("event") == "supervisor.started"]
        offset = supervised.log.stat().st_size
        async with (
            AgentPhone("1007", "pw1007-e2e", answer_after=1.0, talk_seconds=2.0),
            AgentPhone("1008", "pw1008-e2e", answer_after=1.0, talk_seconds=2.0),
        ):
            handles = [await start_call(caller=c, steps=[Wait(45.0)], timeout=90) for c in callers]
            await until(
                lambda: sum(e.get("event") == "call.started" for e in supervised.events(offset)) >= 8,
                20,
                "8 callers in the menu",
            )
            frozen_at = datetime.now(UTC)
            os.kill(first["pid"], signal.SIGSTOP)
            killed = await asyncio.to_thread(
                supervised.wait_log, lambda e: e.get("event") == "supervisor.watchdog_timeout", 20, offset
            )
            ready = await asyncio.to_thread(
                supervised.wait_log,
                lambda e: e.get("event") == "daemon.ready" and at(e) > frozen_at,
                30,
                offset,
            )
            results = await asyncio.gather(*(h.wait() for h in handles))
        assert all(r.ok for r in results), results
        new_caller = "13900008199"
        served = await call(caller=new_caller, steps=[Wait(2.0)])
        assert served.ok and served.answered

        async def reached_agents() -> bool:
            found = await rows(db_url, callers)
            return all(len(r) == 1 and r[0].agent_id in ("007", "008") for r in found.values())

        await until(reached_agents, 30, "every stuck caller's row says the agent who took it")
        found = await rows(db_url, [*callers, new_caller])
        assert [len(r) for r in found.values()] == [1] * 9  # no record lost, none twice
        assert found[new_caller][0].outcome == "ivr_only"
        kill_s = (at(killed) - frozen_at).total_seconds()
        (_, again) = [e for e in supervised.events() if e.get("event") == "supervisor.started"]
        restart_s = (at(again) - frozen_at).total_seconds()
        back_s = (at(ready) - frozen_at).total_seconds()
        assert kill_s <= WATCHDOG_S + 2 and restart_s <= WATCHDOG_S + 2, (kill_s, restart_s)
        print(
            f"\nSIGSTOP under load: killed {kill_s:.2f} s after the freeze (watchdog {WATCHDOG_S:g} s), "
            f"restarted after {restart_s:.2f} s, serving again after {back_s:.2f} s; 8/8 stuck callers "
            "reached an agent through the fallback; the next caller was served by the restarted "
            "daemon; 9/9 calls have one row"
        )
    finally:
        supervised.stop()
        daemon.start()
