"""Daemon CPU vs Asterisk CPU with N concurrent lab calls (greeting + DTMF), same run.

Needs root and the lab (as `make test` sets up). Starts the lab Asterisk with the hotline config,
the daemon as its own process, places N simultaneous sipp calls that press a key during the
greeting, and compares the CPU seconds both processes used during the load (target <= 25 %).
Run: .venv/bin/python bench/daemon_cpu.py [N]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import yaml

from hotline.settings import load_settings
from lab.caller_steps import Dtmf, Step, Wait
from lab.hotline_stack import hotline_up
from lab.lab_lock import take_lab
from lab.load_step import cpu_seconds
from lab.sipp import start_call

PROJECT = Path(__file__).resolve().parent.parent


def spawn_daemon(cfg: Path, log: Path, python: str = sys.executable) -> subprocess.Popen[bytes]:
    """`hotline run` as its own process on the interpreter `python` (this checkout's code, also on
    another venv's interpreter), JSON lines to `log` (wait_ready() tells when it serves)."""
    path = os.pathsep.join(p for p in (str(PROJECT), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [python, "-m", "hotline.cli", "run", "-c", str(cfg), "--json"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": path},
    )


async def wait_ready(log: Path, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while b'"ami.resynced"' not in log.read_bytes():
        if proc.poll() is not None or loop.time() > deadline:
            raise RuntimeError(f"daemon not ready; see {log}")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def daemon_running(
    cfg: Path, log: Path, python: str = sys.executable
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """`hotline run` on `cfg` (on the interpreter `python`), ready (its AMI synced); terminated on
    the way out."""
    daemon = spawn_daemon(cfg, log, python)
    try:
        await wait_ready(log, daemon)
        yield daemon
    finally:
        daemon.terminate()
        daemon.wait(30)


def write_config(
    work: Path, lines: int, windows: dict[str, int] | None = None, event_loop: str | None = None
) -> Path:
    """A bench daemon's config in `work`: `lines` inbound trunks, one agent, SQLite, its own files;
    `windows` sets database.commit_linger_ms / commit_busy_window_ms, `event_loop` the daemon's
    loop (absent: the defaults)."""
    database: dict[str, object] = {"url": f"sqlite+aiosqlite:///{work / 'hotline.db'}", **(windows or {})}
    cfg = work / "hotline.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "lab": True,  # the lab's secrets are weak on purpose
                "company": "平安县",
                "trunks": {"inbound": lines},
                "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-bench"}],
                "database": database,
                "ami": {"secret": "bench-ami-secret"},
                "pid_file": str(work / "hotline.pid"),
                "acd": {"state_file": str(work / "agents.json")},
                "peak": {"flag_file": str(work / "peak")},
                **({"event_loop": event_loop} if event_loop else {}),
            },
            allow_unicode=True,
        )
    )
    return cfg


async def main(n: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    cfg = write_config(work, n)
    with take_lab("bench/daemon_cpu.py"):
        await _measure(n, work, cfg)


async def _measure(n: int, work: Path, cfg: Path) -> None:
    asterisk = await hotline_up(load_settings(cfg), work / "lab")
    try:
        async with daemon_running(cfg, work / "daemon.log") as daemon:
            ast_pid = asterisk.pid()
            if ast_pid is None:
                raise RuntimeError(f"the lab Asterisk is not running; see {asterisk.log_file}")
            a0, d0 = cpu_seconds(ast_pid), cpu_seconds(daemon.pid)
            steps: list[Step] = [Wait(1.5), Dtmf("1"), Wait(6.0)]
            handles = [await start_call(caller=f"1380000{i:04d}", steps=steps) for i in range(n)]
            results = await asyncio.gather(*(h.wait() for h in handles))
            a1, d1 = cpu_seconds(ast_pid), cpu_seconds(daemon.pid)
    finally:
        asterisk.stop()
    ok = sum(r.ok for r in results)
    ast, dae = a1 - a0, d1 - d0
    print(f"{n} concurrent lab calls (greeting + DTMF), {ok}/{n} completed")
    print(f"  Asterisk CPU : {ast:6.2f} s")
    print(f"  daemon CPU   : {dae:6.2f} s")
    print(f"  ratio        : {100 * dae / ast:6.1f} %   (target <= 25 %)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50))
