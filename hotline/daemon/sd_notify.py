"""systemd's notify protocol, the few lines it needs: datagrams such as `READY=1`, `WATCHDOG=1` and
`STOPPING=1` sent to the socket named by $NOTIFY_SOCKET (a path, or `@name` in the abstract
namespace). $WATCHDOG_USEC says how often the supervisor expects a ping; the daemon pings at half
that. Without $NOTIFY_SOCKET (not supervised) every call does nothing.

Served by systemd (`Type=notify`, the shipped unit) or by `hotline supervise` (lab, `make run`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping

import structlog

log = structlog.get_logger("daemon")


class SdNotify:
    def __init__(self, env: Mapping[str, str] = os.environ):
        raw = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + raw[1:] if raw.startswith("@") else raw
        self.watchdog_s = _watchdog_seconds(env)

    @property
    def supervised(self) -> bool:
        return bool(self.address)

    def ready(self) -> None:
        self._send("READY=1", "STATUS=serving calls")

    def watchdog(self) -> None:
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1", "STATUS=stopping: calls in progress finish")

    def _send(self, *fields: str) -> None:
        if not self.address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto("\n".join(fields).encode(), self.address)
        except OSError as exc:  # a supervisor gone away must not stop the calls
            log.warning("daemon.notify_failed", socket=self.address.lstrip("\0"), error=str(exc))


def _watchdog_seconds(env: Mapping[str, str]) -> float | None:
    """The ping interval the supervisor asked for (WATCHDOG_USEC), if it is meant for us."""
    usec, pid = env.get("WATCHDOG_USEC"), env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        value = int(usec)
    except ValueError:
        log.warning("daemon.watchdog_usec_invalid", value=usec)
        return None
    return value / 1_000_000 if value > 0 else None
