"""The event loop's pulse: a timer that runs only while the loop is free measures how late it fires
(the loop's lag, on /metrics; a warning above `liveness.loop_lag_warn_seconds`) and pings the
watchdog. A loop blocked longer than the watchdog limit stops the pings, and the supervisor kills
and restarts the daemon: its FastAGI sockets close and those calls go on in the fallback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from hotline.daemon.sd_notify import SdNotify

log = structlog.get_logger("daemon")


class LoopPulse:
    def __init__(
        self,
        notify: SdNotify,
        set_lag: Callable[[float], None],
        *,
        tick_s: float,
        warn_s: float,
    ):
        self.notify, self.set_lag = notify, set_lag
        self.warn_s = warn_s
        # ping at least at half the watchdog interval, and never less often than we measure
        interval = notify.watchdog_s / 2 if notify.watchdog_s else None
        self.tick_s = min(tick_s, interval) if interval else tick_s

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.tick_s
            await asyncio.sleep(self.tick_s)
            self.beat(max(0.0, loop.time() - due))

    def beat(self, lag_s: float) -> None:
        self.notify.watchdog()
        self.set_lag(lag_s)
        if lag_s > self.warn_s:
            log.warning("daemon.loop_lag", lag_s=round(lag_s, 3), warn_s=self.warn_s)
