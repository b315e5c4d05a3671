"""The key that signs the console's cookies (`web.secret_file`): 32 random bytes, created with
mode 0600 at the first start and read afterwards. A key file others can read, or a short one,
is refused: whoever holds the key can forge the pre-login CSRF cookie."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32


class SecretKeyError(OSError):
    """The key file is unusable; the message says what to do."""


def load_or_create(path: str | Path) -> bytes:
    """The key in `path`; a missing file is created first (its folder too) with a new key."""
    path = Path(path)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it just now: use theirs
        return _read(path)
    try:
        os.write(fd, secrets.token_bytes(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    return _read(path)


def _read(path: Path) -> bytes:
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise SecretKeyError(f"web.secret_file {path} is not a regular file")
    if st.st_mode & 0o077:
        raise SecretKeyError(
            f"web.secret_file {path} can be read by others (mode {stat.S_IMODE(st.st_mode):o}): chmod 600 it"
        )
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise SecretKeyError(
            f"web.secret_file {path} holds {len(key)} bytes, fewer than {KEY_BYTES}: "
            "delete it and a new key is made at the next start (everyone logs in again)"
        )
    return key
