"""`hotline service unit`: the shipped systemd unit with this config's timings, accepted by
systemd's own checker."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from hotline.cli import app


def write_config(path: Path) -> Path:
    path.write_text(
        "company: X\nshutdown_grace_seconds: 45\nliveness:\n  watchdog_seconds: 4\n  restart_seconds: 2\n",
        encoding="utf-8",
    )
    return path


def test_the_unit_is_notify_with_a_watchdog_and_a_stop_longer_than_the_drain(tmp_path):
    config = write_config(tmp_path / "hotline.yaml")
    out = tmp_path / "hotline.service"
    result = CliRunner().invoke(
        app, ["service", "unit", "-c", str(config), "-o", str(out), "--user", "hotline"]
    )
    assert result.exit_code == 0, result.output
    unit = out.read_text()
    for line in (
        "Type=notify",
        "WatchdogSec=4",
        "Restart=always",
        "RestartSec=2",
        "TimeoutStopSec=75",
        "User=hotline",
        f"-c {config.resolve()} --json",
    ):
        assert line in unit, line
    checked = subprocess.run(["systemd-analyze", "verify", str(out)], capture_output=True, text=True)
    problems = [ln for ln in checked.stderr.splitlines() if str(out) in ln]
    assert checked.returncode == 0 and problems == [], checked.stderr


def test_a_path_a_unit_file_cannot_hold_is_refused(tmp_path):
    folder = tmp_path / "with space"
    folder.mkdir()
    config = write_config(folder / "hotline.yaml")
    result = CliRunner().invoke(app, ["service", "unit", "-c", str(config)])
    assert result.exit_code == 2
    assert "cannot be written in a unit file" in result.output
