"""The blocklist file: the PJSIP ACL the auth guard writes and Asterisk reads (`security.blocklist_file`,
pulled into pjsip.conf with `#tryinclude`).

    ; Written by the hotline daemon ...
    [hotline-blocklist]
    type = acl
    deny = 192.0.2.7/32 ; until 2026-11-23T08:15:00+00:00

res_pjsip_acl checks a `type=acl` section against every SIP request res_pjsip receives, before
any endpoint is looked up or any challenge sent: a denied address gets 403 to everything. With
nothing blocked the file holds comments only. The `until` comments let a restarted daemon keep
its blocks. The file is replaced whole (a temporary file renamed over it), so Asterisk never
reads half of one; it holds no secret (mode 0644, readable by Asterisk's user).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

SECTION = "hotline-blocklist"
FILE_MODE = 0o644
_NETWORK = re.compile(r"[0-9A-Fa-f:.]{2,45}/[0-9]{1,3}")
_LINE = re.compile(r"deny\s*=\s*(\S+)\s*;\s*until\s+(\S+)\s*")
HEADER = (
    "; Written by the hotline daemon (security.blocklist_file in its config): addresses blocked\n"
    "; after repeated failed SIP logins, each until the time given. Do not edit: the daemon\n"
    "; replaces this file at every block and unblock, then reloads res_pjsip.\n"
)


def render(blocked: Mapping[str, datetime]) -> str:
    """The file for these blocked networks (network -> until). ValueError for a network that is
    not plain `address/prefix` text (it would be a line of pjsip.conf)."""
    lines = [HEADER]
    if blocked:
        lines.append(f"[{SECTION}]\ntype = acl\n")
        for network, until in sorted(blocked.items()):
            if not _NETWORK.fullmatch(network):
                raise ValueError(f"not a network for an ACL line: {network[:64]!r}")
            lines.append(f"deny = {network} ; until {until.isoformat()}\n")
    return "".join(lines)


def parse(text: str) -> list[tuple[str, datetime]]:
    """(network, until) of every `deny` line the daemon wrote; other lines are skipped."""
    found = []
    for line in text.splitlines():
        m = _LINE.fullmatch(line.strip())
        if m is None or not _NETWORK.fullmatch(m.group(1)):
            continue
        try:
            until = datetime.fromisoformat(m.group(2))
        except ValueError:
            continue
        if until.tzinfo is not None:
            found.append((m.group(1), until))
    return found


def read(path: Path) -> list[tuple[str, datetime]]:
    """The blocks in the file at `path`; [] if there is none. OSError if it cannot be read."""
    try:
        return parse(path.read_text(encoding="utf-8", errors="replace"))
    except FileNotFoundError:
        return []


def write(path: Path, text: str) -> None:
    """Replace the file at `path` with `text` atomically. OSError on failure (the old file stays)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(f.fileno(), FILE_MODE)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
