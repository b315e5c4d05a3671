"""Settings for a daemon run in-process against scripted Asterisk ends (no AMI unless asked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hotline.settings import Settings


def daemon_settings(db_url: str, tmp: Path, **sections: Any) -> Settings:
    """One agent (001 on 1001), FastAGI on a free loopback port, state files (and the SIP
    blocklist) under `tmp`;
    `sections` replace top-level config keys (e.g. `ami={...}`, `shutdown_grace_seconds=1`)."""
    return Settings.model_validate(
        {
            "company": "测试县",
            "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-x"}],
            "database": {"url": db_url},
            "fastagi": {"host": "127.0.0.1", "port": 0},
            "shutdown_grace_seconds": 2,
            "acd": {"state_file": str(tmp / "agents.json")},
            "peak": {"flag_file": str(tmp / "peak_mode")},
            "security": {"blocklist_file": str(tmp / "hotline-blocklist.conf")},
            **sections,
        }
    )
