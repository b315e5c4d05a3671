"""The wallboard inside the daemon: a caller's wait reaches a logged-in supervisor's stream, and
today's figures equal the day report, also after a restart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from console_daemon import console_settings
from fake_asterisk import FakeCall
from in_process import daemon_in_process
from polling import until
from web_harness import PASSWORD, add_user, csrf_of

from hotline.daemon.wiring import Running
from hotline.reports.figures import Thresholds
from hotline.reports.period import DEFAULT_TZ, day_period, zone
from hotline.reports.stats import compute_stats
from hotline.web.auth.passwords import Passwords

DIAL = 'EXEC "Dial"'


async def _logged_in(running: Running) -> httpx.AsyncClient:
    assert running.console is not None
    await add_user(running.ctx.engine, "boss", passwords=Passwords())
    c = httpx.AsyncClient(base_url=running.console.url.rstrip("/"), timeout=10)
    form = {"username": "boss", "password": PASSWORD, "csrf_token": await csrf_of(c)}
    r = await c.post("/login", data=form)
    assert r.status_code == 303, r.text
    return c


class States:
    """The states a stream delivered, read in the background."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def read(self, c: httpx.AsyncClient) -> None:
        async with c.stream("GET", "/wallboard/stream") as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    self.seen.append(json.loads(line[6:]))

    def any(self, match: Callable[[dict[str, Any]], bool]) -> bool:
        return any(match(s) for s in self.seen)


async def _report_counts(running: Running) -> dict[str, Any]:
    tz = zone(DEFAULT_TZ)
    period = day_period(datetime.now(tz).date(), tz)
    th = Thresholds(answer_target_s=running.ctx.settings.answer_target.seconds)
    stats = await compute_stats(running.ctx.engine, period, th, now=running.ctx.clock())
    return stats.center.as_dict()


async def test_a_waiting_caller_is_on_the_stream_then_leaves_it(console: Running) -> None:
    c = await _logged_in(console)
    states = States()
    reader = asyncio.create_task(states.read(c))
    release = asyncio.Event()
    call = FakeCall(console.server.port, "900.1", caller="13800001234", hang_up_on=DIAL)
    caller = asyncio.create_task(call.run(release=release))
    try:
        await until(
            lambda: states.any(
                lambda s: (
                    [w["number"] for w in s["waiting"]] == ["138****1234"]
                    and s["agents"][0]["state"] == "ringing"
                )
            ),
            10,
            "the ringing caller on the wallboard",
        )
        release.set()  # the caller gives up while the agent rings
        await asyncio.wait_for(caller, 10)
        await until(
            lambda: states.any(lambda s: s["waiting"] == [] and s["today"]["counts"]["abandoned"] == 1),
            10,
            "the abandoned call off the list and counted",
        )
    finally:
        reader.cancel()
        await c.aclose()
    await console.ctx.recorder.flush()
    assert states.seen[-1]["today"]["counts"] == await _report_counts(console)


async def test_todays_figures_survive_a_restart(db_url: str, tmp_path: Path) -> None:
    async with daemon_in_process(console_settings(db_url, tmp_path), stop_s=15) as running:
        for i in range(3):
            await asyncio.wait_for(FakeCall(running.server.port, f"901.{i}", hang_up_on=DIAL).run(), 10)
        await running.ctx.recorder.flush()
        assert running.console is not None
        before = running.console.board.state()["today"]["counts"]
        assert before["inbound"] == 3 and before == await _report_counts(running)
    async with daemon_in_process(console_settings(db_url, tmp_path), stop_s=15) as running:
        assert running.console is not None
        assert running.console.board.state()["today"]["counts"] == before
