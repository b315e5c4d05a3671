"""A throwaway mosquitto broker for tests: 127.0.0.1 on a free port, anonymous, own temp dir.

`stop()` then `start()` again brings the broker back on the same port (a broker restart).
With `persistent=True` the broker saves its sessions on stop and restores them on start, so a
subscriber with a persistent session (clean_session=False, QoS 1) gets what was published
while it was away - even across a restart.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

DEBIAN_PACKAGE = "mosquitto"


POLL_S = 0.02  # how often start() checks that the broker accepts connections


def find_mosquitto() -> str:
    """$MOSQUITTO, or mosquitto on PATH or in the sbin folders; fails telling what to install."""
    explicit = os.environ.get("MOSQUITTO")
    if explicit:
        return explicit
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])
    found = shutil.which("mosquitto", path=search)
    if found is None:
        pytest.fail(
            f"the mosquitto broker is not installed: apt-get install {DEBIAN_PACKAGE} "
            "(or set MOSQUITTO to its binary)",
            pytrace=False,
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MosquittoBroker:
    def __init__(self, *, persistent: bool = False) -> None:
        self.binary = find_mosquitto()
        self.host = "127.0.0.1"
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="hotline-mqtt-"))
        self.persistent = persistent
        self.log_path = self.root / "mosquitto.log"
        self._proc: subprocess.Popen | None = None

    def _write_config(self) -> Path:
        conf = self.root / "mosquitto.conf"
        lines = [
            f"listener {self.port} {self.host}",
            "allow_anonymous true",
            # started as root, mosquitto would switch to user `mosquitto`; stay who we are
            f"user {pwd.getpwuid(os.getuid()).pw_name}",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "set_tcp_nodelay true",  # else Nagle + delayed ACKs hold PUBACKs ~40 ms per burst
            "max_queued_messages 0",  # no cap on what waits for an offline persistent subscriber
        ]
        if self.persistent:
            lines += ["persistence true", f"persistence_location {self.root}/", "autosave_interval 0"]
        else:
            lines.append("persistence false")
        conf.write_text("\n".join(lines) + "\n")
        return conf

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        if self.running:
            raise RuntimeError(f"mosquitto is already running on port {self.port}")
        conf = self._write_config()
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                [self.binary, "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        while not self._accepts():
            if self._proc.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with code {self._proc.returncode} at start:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"mosquitto did not accept connections on {self.host}:{self.port} "
                    f"within {timeout} s:\n{self.log_tail()}"
                )
            time.sleep(POLL_S)

    def _accepts(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (mosquitto saves persistent sessions then), SIGKILL if it does not exit."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
            raise RuntimeError(
                f"mosquitto ignored SIGTERM for {timeout} s and was killed:\n{self.log_tail()}"
            ) from None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, chars: int = 3000) -> str:
        if not self.log_path.exists():
            return "(no broker log)"
        return self.log_path.read_text(errors="replace")[-chars:]
