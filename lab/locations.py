"""Where the lab lives on the host (overridable by environment variables)."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CHROOT = Path("/var/lib/hotline-lab/chroot")
DEFAULT_RUN_DIR = Path("/var/lib/hotline-lab/run")


def chroot_dir() -> Path:
    """The Asterisk chroot: `HOTLINE_LAB_CHROOT`, else /var/lib/hotline-lab/chroot."""
    return Path(os.environ.get("HOTLINE_LAB_CHROOT") or DEFAULT_CHROOT)


def run_dir() -> Path:
    """Pid files and logs of lab processes: `HOTLINE_LAB_RUN`, else /var/lib/hotline-lab/run."""
    return Path(os.environ.get("HOTLINE_LAB_RUN") or DEFAULT_RUN_DIR)


def tail(path: Path, lines: int = 30) -> str:
    """The last `lines` lines of a text file ('' if it does not exist)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])
