"""The hotline daemon as a real process (`hotline run`), for e2e tests: start, wait ready, stop, kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

POLL_S = 0.05


class DaemonProc:
    """`supervised`: run it as `hotline supervise` (the watchdog supervisor and its daemon)."""

    def __init__(self, config: Path, log: Path, *, supervised: bool = False):
        self.config, self.log, self.supervised = config, log, supervised
        self.proc: subprocess.Popen | None = None
        self.started_at_offset = 0

    def start(self, timeout: float = 30) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.started_at_offset = offset  # where this run's log lines begin
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hotline.cli",
                "supervise" if self.supervised else "run",
                "-c",
                str(self.config),
                "--json",
                "--log-level",
                "DEBUG",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.wait_log(lambda e: e.get("event") == "daemon.ready", timeout, offset=offset)
        self.wait_log(lambda e: e.get("event") == "ami.resynced", timeout, offset=offset)

    def events(self, offset: int = 0) -> list[dict]:
        out = []
        with self.log.open("rb") as f:
            f.seek(offset)
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue  # alembic / non-JSON lines
        return out

    def wait_log(self, match, timeout: float, offset: int = 0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hit = next((e for e in self.events(offset) if match(e)), None)
            if hit is not None:
                return hit
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"daemon exited with {self.proc.returncode}; log: {self.log}")
            time.sleep(POLL_S)
        raise TimeoutError(f"no matching daemon log line within {timeout} s; log: {self.log}")

    def stop(self, timeout: float = 40) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
