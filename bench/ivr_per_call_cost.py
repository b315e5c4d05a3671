"""Per-call cost of the IVR: the daemon's FastAGI coroutine vs a pyst2 process per call, same run.

The same scripted caller on both: answer, greeting, press 4 (top menu), * (guide menu), 0 (top
menu) -> "transferring you" -> the daemon rings the agents and the caller hangs up there; the
classic script (bench/baselines/ivr_classic.py) sets HOTLINE_TRANSFER and exits. Every call must reach
the transfer prompt. Measured over N calls, one after another and then 20 at a time:
  - setup latency: connection opened / process spawned -> first STREAM FILE received;
  - CPU per call: the daemon (`run_daemon(..., ami_enabled=False)` in a child process started
    with `python -c`, SQLite in a temp dir) from /proc/<pid>/stat before/after the N calls, after
    its store committed every call; the classic scripts from RUSAGE_CHILDREN deltas.
Prints p50/p95 latency, CPU ms per call and the ratios (target: FastAGI >= 20x cheaper).
Run: .venv/bin/python bench/ivr_per_call_cost.py [N]
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import os
import resource
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.load_step import cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
CLASSIC = ROOT / "bench" / "baselines" / "ivr_classic.py"
MENU = ROOT / "config" / "menu.yaml"
INTERRUPTIBLE = '"0123456789*#"'
KEYS = "4*0"
CONCURRENCY = 20

DAEMON_CHILD = """
import asyncio, json, signal, sys
from hotline.daemon.wiring import run_daemon
from hotline.observability.logs import setup_logging
from hotline.settings import Settings

async def main(cfg):
    settings = Settings.model_validate({**cfg["settings"], "trunks": {"inbound": cfg["inbound"]}})
    loop = asyncio.get_running_loop()
    stop, started = asyncio.Event(), loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    task = asyncio.create_task(run_daemon(settings, stop, ami_enabled=False, started=started))
    await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
    if not started.done():
        task.result()
        raise RuntimeError("run_daemon returned before it was ready")
    print("READY", started.result().server.port, flush=True)
    await task

setup_logging("INFO", json=True)
asyncio.run(main(json.loads(sys.argv[1])))
"""


@dataclass
class Child:
    name: str
    proc: asyncio.subprocess.Process
    port: int
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]


async def start_child(name: str, code: str, cfg: dict[str, Any], work: Path) -> Child:
    """`python -c code json(cfg)` in `work`; it prints `READY <port>` once it listens."""
    log = work / f"{name}.log"
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            code,
            json.dumps(cfg),
            cwd=work,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    assert proc.stdout is not None  # stdout=PIPE
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
    except TimeoutError:
        line = b"(nothing within 60 s)"
    if not line.startswith(b"READY "):
        if proc.returncode is None:
            proc.kill()
        rc = await proc.wait()
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{name} did not start (exit {rc}); its log:\n{tail}")
    return Child(name, proc, int(line.split()[1]), log)


async def stop_child(child: Child) -> None:
    child.proc.send_signal(signal.SIGTERM)
    rc = await asyncio.wait_for(child.proc.wait(), 60)
    if rc != 0:
        raise RuntimeError(f"{child.name} exited with {rc}; its log:\n{child.tail()}")


def daemon_config(work: Path, inbound: int) -> dict[str, Any]:
    return {
        "inbound": inbound,
        "settings": {
            "company": "平安县",
            "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-bench"}],
            "database": {"url": f"sqlite+aiosqlite:///{work / 'hotline.db'}"},
            "fastagi": {"host": "127.0.0.1", "port": 0},
            "asterisk": {"prompts_dir": str(work / "prompts"), "recordings_dir": str(work / "rec")},
            "menu_file": str(MENU),
            "pid_file": str(work / "hotline.pid"),
            "shutdown_grace_seconds": 5,
            "acd": {"state_file": str(work / "agents.json")},
            "peak": {"flag_file": str(work / "peak")},
        },
    }


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def b64(s: str) -> str:
    return base64.b64encode(b"v" + s.encode()).decode()


async def asterisk(r: asyncio.StreamReader, w: asyncio.StreamWriter, env: bytes, t0: float) -> float:
    """The scripted Asterisk end: returns the seconds from t0 to the first STREAM FILE."""
    w.write(env)
    keys, first, hung_up, sent = list(KEYS), None, False, []
    while line := await r.readline():
        cmd = line.decode().rstrip("\n")
        sent.append(cmd)
        if first is None and cmd.startswith("STREAM FILE"):
            first = time.perf_counter() - t0
        if hung_up:
            w.write(b"511 Command Not Permitted on a dead channel or intercept routine\n")
        elif cmd.startswith("EXEC"):  # the daemon rings the agents: the caller hangs up
            w.write(b"HANGUP\n200 result=-1\n")
            hung_up = True
        elif cmd.startswith("STREAM FILE") and cmd.endswith(INTERRUPTIBLE) and keys:
            w.write(f"200 result={ord(keys.pop(0))}\n".encode())
        else:
            w.write(b"200 result=0\n")
        await w.drain()
    if first is None or not any("/transfer_agent" in c for c in sent):
        raise RuntimeError(f"the call did not walk to the transfer prompt: {sent}")
    return first


async def daemon_call(port: int, uid: str) -> float:
    t0 = time.perf_counter()
    r, w = await asyncio.open_connection("127.0.0.1", port)
    env = (
        f"agi_network: yes\nagi_network_script: inbound\nagi_uniqueid: {uid}\n"
        f"agi_channel: PJSIP/trunk-{uid}\nagi_callerid: 13800138000\nagi_dnid: 95598\n"
        f"agi_arg_1: {b64('13800138000')}\nagi_arg_2: {b64('')}\n\n"
    ).encode()
    try:
        return await asterisk(r, w, env, t0)
    finally:
        w.close()


async def classic_call(work: Path, uid: str) -> float:
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CLASSIC),
        str(work / "prompts"),
        str(work / "rec"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    env = (
        f"agi_request: {CLASSIC.name}\nagi_channel: DAHDI/1-1\nagi_uniqueid: {uid}\n"
        f"agi_callerid: 13800138000\nagi_dnid: 95598\nagi_context: from-trunk\n\n"
    ).encode()
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None  # all PIPE
    first = await asterisk(proc.stdout, proc.stdin, env, t0)
    proc.stdin.close()
    rc = await proc.wait()
    if rc != 0:
        raise RuntimeError(f"ivr_classic.py exited with {rc}: {(await proc.stderr.read()).decode()}")
    return first


async def run_calls(
    call: Callable[[str], Awaitable[float]], n: int, concurrency: int, prefix: str
) -> list[float]:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> float:
        async with gate:
            return await call(f"{prefix}.{i}")

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def store_has(db: Path, ended: int, timeout: float = 30) -> None:
    """Poll the daemon's SQLite until `ended` calls are committed (committed in batches)."""
    deadline = time.monotonic() + timeout
    while True:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            done = con.execute("SELECT count(*) FROM calls WHERE ended_at IS NOT NULL").fetchone()[0]
            bad = con.execute("SELECT count(*) FROM calls WHERE outcome != 'abandoned_ringing'").fetchone()[0]
        finally:
            con.close()
        if bad:
            raise RuntimeError(f"{bad} call(s) in {db} ended otherwise than abandoned_ringing")
        if done >= ended:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the daemon committed {done}/{ended} calls within {timeout} s")
        await asyncio.sleep(0.02)


async def measure_daemon(work: Path, n: int) -> dict[int, tuple[list[float], float]]:
    child = await start_child("daemon", DAEMON_CHILD, daemon_config(work, max(CONCURRENCY, 8)), work)
    db, out, total = work / "hotline.db", {}, 10
    try:
        await run_calls(lambda uid: daemon_call(child.port, uid), 10, 1, "warm")  # imports, caches
        await store_has(db, total)
        for conc in (1, CONCURRENCY):
            c0 = cpu_seconds(child.proc.pid)
            lat = await run_calls(lambda uid: daemon_call(child.port, uid), n, conc, f"d{conc}")
            total += n
            await store_has(db, total)
            out[conc] = (lat, (cpu_seconds(child.proc.pid) - c0) / n)
    finally:
        await stop_child(child)
    return out


async def measure_classic(work: Path, n: int) -> dict[int, tuple[list[float], float]]:
    await run_calls(lambda uid: classic_call(work, uid), 3, 1, "warm")  # page cache, .pyc files
    out = {}
    for conc in (1, CONCURRENCY):
        c0 = children_cpu()
        lat = await run_calls(lambda uid: classic_call(work, uid), n, conc, f"c{conc}")
        out[conc] = (lat, (children_cpu() - c0) / n)
    return out


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ivr-cost-") as tmp:
        work = Path(tmp)
        daemon = await measure_daemon(work, n)  # stopped (and reaped) before the children count
        classic = await measure_classic(work, n)
    print(f"IVR per-call cost, {n} calls (answer, greeting, 4, *, 0 -> transfer), {os.cpu_count()} CPUs")
    print("  daemon: run_daemon(ami_enabled=False) in a child process, SQLite store, JSON logs")
    print(f"  {'':28} {'first prompt p50':>17} {'p95':>9} {'CPU/call':>10}")
    for conc in (1, CONCURRENCY):
        (dl, dc), (cl, cc) = daemon[conc], classic[conc]
        label = "one at a time" if conc == 1 else f"{conc} at a time"
        print(f" {label}")
        for name, lat, cpu in (("FastAGI daemon", dl, dc), ("classic pyst2 process", cl, cc)):
            print(
                f"  {name:28} {pct(lat, 50) * 1e3:14.2f} ms {pct(lat, 95) * 1e3:6.2f} ms {cpu * 1e3:7.2f} ms"
            )
        print(
            f"  {'ratio classic / FastAGI':28} {pct(cl, 50) / pct(dl, 50):15.0f} x "
            f"{pct(cl, 95) / pct(dl, 95):7.0f} x {cc / dc:8.0f} x   (target CPU >= 20x)"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
