"""UDP port blocks for sipp processes, so many can run at once.

Each sipp binds: its SIP port, its control port (default 8888, so always set it), and its
media port `mp` plus `mp + 2` (audio and video sockets), all on 127.0.0.1 here. A block of 6
consecutive ports gives sip = b, control = b+1, media = b+2 (binds b+2 and b+4); b+3 is where
Asterisk sends RTCP. Blocks come from a range outside Asterisk's RTP range (10000-20000 in the
lab configs) and outside Linux's ephemeral range (32768-60999); a block is handed out only if
every port in it can be bound right now, and never twice by this process while in use.
"""

from __future__ import annotations

import random
import socket
import threading
from dataclasses import dataclass

from lab.errors import LabError

FIRST, LAST = 21000, 31998
SIZE = 6
_lock = threading.Lock()
_taken: set[int] = set()


@dataclass(frozen=True)
class PortBlock:
    base: int
    sip_override: int | None = None

    @property
    def sip(self) -> int:
        return self.base if self.sip_override is None else self.sip_override

    @property
    def control(self) -> int:
        return self.base + 1

    @property
    def media(self) -> int:
        return self.base + 2

    def release(self) -> None:
        with _lock:
            _taken.discard(self.base)


def _bindable(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def allocate(host: str = "127.0.0.1", sip_port: int | None = None) -> PortBlock:
    """A free block (all 6 UDP ports bindable on `host` and on 0.0.0.0).

    With `sip_port`, that port is used for SIP instead of the block's first port.
    """
    if sip_port is not None and not _bindable(sip_port, host):
        raise LabError(f"UDP port {sip_port} is already in use")
    bases = list(range(FIRST, LAST - SIZE + 1, SIZE))
    start = random.randrange(len(bases))
    with _lock:
        for base in bases[start:] + bases[:start]:
            if base in _taken:
                continue
            ports = range(base, base + SIZE)
            if all(_bindable(p, host) and _bindable(p, "0.0.0.0") for p in ports):
                _taken.add(base)
                return PortBlock(base, sip_port)
    raise LabError(f"no free block of {SIZE} UDP ports in {FIRST}-{LAST}")
