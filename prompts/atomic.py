"""Replacing files Asterisk may be reading: written under a temporary name, synced, renamed.

The temporary name starts with a dot (`.<name>.<random>.tmp`): Asterisk's music on hold skips
dot-files when it lists its directory, and nothing asks Asterisk to play such a name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def staged(path: Path, data: bytes) -> Path:
    """`data` in a synced temporary file beside `path` (readable by Asterisk), not yet renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, 0o644)
    except OSError:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename."""
    tmp = staged(path, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
