"""Settings of the daemon in-process with its web console on a free port (no AMI): for the console
tests, with in_process.daemon_in_process."""

from __future__ import annotations

from pathlib import Path

from daemon_settings import daemon_settings

from hotline.settings import Settings


def console_settings(db_url: str, tmp: Path) -> Settings:
    return daemon_settings(
        db_url, tmp, web={"host": "127.0.0.1", "port": 0, "secret_file": str(tmp / "web_secret")}
    )
