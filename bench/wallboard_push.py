"""The wallboard's cost: daemon CPU with 50 wallboard browsers watching vs none, same 8 lab calls,
and event-to-screen latency (p50/p99, target p99 < 300 ms).

Needs root and the lab (as `make test` sets it up). The daemon runs as its own process with the
console on; two agents (sipp UAS) answer; 8 callers press 0, wait, talk and hang up. Round A: no
wallboard open. Round B: 50 SSE clients logged in as a supervisor (httpx, in this process, so
their CPU is not the daemon's). Latency: a pushed state's arrival time minus the time of the
newest event it holds (`event_at`, the daemon's clock; same machine).
Run: .venv/bin/python bench/wallboard_push.py [clients]
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import yaml
from daemon_cpu import daemon_running

from hotline.settings import load_settings
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Step, Wait
from lab.hotline_stack import hotline_up
from lab.lab_lock import take_lab
from lab.load_step import cpu_seconds
from lab.sipp import start_call

CALLS = 8
PORT = 18597
PASSWORD = "Bench-wallboard-2026"


def write_config(work: Path) -> Path:
    cfg = work / "hotline.yaml"
    agents = [{"id": f"00{i}", "extension": f"100{i}", "secret": f"pw100{i}-bench"} for i in (1, 2)]
    cfg.write_text(
        yaml.safe_dump(
            {
                "company": "平安县",
                "lab": True,
                "agents": agents,
                "database": {"url": f"sqlite+aiosqlite:///{work / 'hotline.db'}"},
                "ami": {"secret": "bench-ami-secret"},
                "pid_file": str(work / "hotline.pid"),
                "acd": {"state_file": str(work / "agents.json"), "wrap_up_seconds": 1},
                "peak": {"flag_file": str(work / "peak")},
                "sip": {"rtp_timeout_seconds": 0},
                "web": {"port": PORT, "secret_file": str(work / "web_secret")},
            },
            allow_unicode=True,
        )
    )
    subprocess.run(
        [sys.executable, "-m", "hotline.cli", "users", "add", "bench", "--role", "supervisor"]
        + ["--password-stdin", "-c", str(cfg)],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    return cfg


async def log_in(base: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base) as c:
        page = await c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None, page.text
        r = await c.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token[1]})
        if r.status_code != 303:
            raise RuntimeError(f"bench login refused: {r.status_code} {r.text[:200]}")
        return c.cookies


async def watch(base: str, cookies: httpx.Cookies, latencies: list[float], ready: asyncio.Event) -> None:
    """One wallboard: read pushed states, note each new event's delay to arrival."""
    last = None
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=None) as c:
        async with c.stream("GET", "/wallboard/stream") as r:
            ready.set()
            async for line in r.aiter_lines():
                if not line.startswith("data: "):
                    continue
                state = json.loads(line[6:])
                at = state.get("event_at")
                if at is not None and last is not None and at != last:
                    latencies.append(time.time() - datetime.fromisoformat(at).timestamp())
                last = at


async def load_round(daemon_pid: int, ast_pid: int, tag: str) -> tuple[float, float, int]:
    """8 callers press 0, are answered by the two agents in turn, talk 3 s; CPU of both sides."""
    a0, d0 = cpu_seconds(ast_pid), cpu_seconds(daemon_pid)
    steps: list[Step] = [Wait(7.0), Dtmf("0"), Wait(30.0)]
    handles = [await start_call(caller=f"1390000{tag}{i:03d}", steps=steps, timeout=60) for i in range(CALLS)]
    results = await asyncio.gather(*(h.wait() for h in handles))
    return cpu_seconds(daemon_pid) - d0, cpu_seconds(ast_pid) - a0, sum(r.ok for r in results)


async def main(clients: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-wallboard-"))
    cfg = write_config(work)
    with take_lab("bench/wallboard_push.py"):
        asterisk = await hotline_up(load_settings(cfg), work / "lab")
        try:
            async with daemon_running(cfg, work / "daemon.log") as daemon:
                await _measure(clients, daemon.pid, asterisk.pid() or 0)
        finally:
            asterisk.stop()


async def _measure(clients: int, daemon_pid: int, ast_pid: int) -> None:
    base = f"http://127.0.0.1:{PORT}"
    phones = [AgentPhone(f"100{i}", f"pw100{i}-bench", answer_after=2.0, talk_seconds=3.0) for i in (1, 2)]
    for p in phones:
        await p.start()
    try:
        base_d, base_a, base_ok = await load_round(daemon_pid, ast_pid, "1")
        cookies = await log_in(base)
        latencies: list[float] = []
        readies = [asyncio.Event() for _ in range(clients)]
        watchers = [asyncio.create_task(watch(base, cookies, latencies, r)) for r in readies]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
        web_d, web_a, web_ok = await load_round(daemon_pid, ast_pid, "2")
        for w in watchers:
            w.cancel()
    finally:
        for p in phones:
            await p.close(raise_errors=False)
    report(clients, (base_d, base_a, base_ok), (web_d, web_a, web_ok), latencies)


def report(
    clients: int, base: tuple[float, float, int], web: tuple[float, float, int], lat: list[float]
) -> None:
    print(f"wallboard push: {CALLS} lab calls (press 0, queue, answer, talk), same run")
    print(
        f"  no wallboard      : daemon CPU {base[0]:6.2f} s, Asterisk {base[1]:6.2f} s, {base[2]}/{CALLS} ok"
    )
    line = f"daemon CPU {web[0]:6.2f} s, Asterisk {web[1]:6.2f} s, {web[2]}/{CALLS} ok"
    print(f"  {clients} wallboards    : {line}")
    ratio = web[0] / base[0] if base[0] else float("nan")
    print(f"  added by the web  : {web[0] - base[0]:+6.2f} s daemon CPU ({ratio:.2f}x the round without)")
    if not lat:
        raise SystemExit("no pushed state arrived: the wallboard stream is broken")
    ms = sorted(x * 1000 for x in lat)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    print(
        f"  event -> screen   : {len(ms)} updates, p50 {statistics.median(ms):.0f} ms, p99 {p99:.0f} ms "
        f"(target p99 < 300 ms)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
