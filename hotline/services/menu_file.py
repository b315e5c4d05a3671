"""Replace a config file's bytes atomically, keeping its permissions (the menu file, published from
the web console).

The new bytes go to a temporary file in the same folder (same file system), get the old file's
mode (and, run as root, its owner and group), are flushed to disk, and are renamed over the old
file: a reader (a SIGHUP reload, `hotline menu check`) sees the old bytes or the new ones, never a
half-written file; a failure leaves the old file and no temporary file. A symbolic link is
followed: the file it points to is replaced, the link stays.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644  # a menu is no secret; used only when there was no file yet


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` as the whole content of `path` (OSError if it cannot be done; then nothing
    has changed)."""
    target = path.resolve()  # a symlinked config (deploy/...) keeps its link
    try:
        old = target.stat()
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise IsADirectoryError(f"{target} is not a regular file")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    done = False
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), stat.S_IMODE(old.st_mode) if old else NEW_FILE_MODE)
            if old is not None and os.geteuid() == 0:
                os.fchown(f.fileno(), old.st_uid, old.st_gid)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        done = True
    finally:
        if not done:
            Path(tmp).unlink(missing_ok=True)
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """The rename itself reaches the disk (a power cut does not bring the old menu back). Best
    effort: the file is already replaced, so a file system that cannot sync a folder is no error."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
