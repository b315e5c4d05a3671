"""Carries the line audit out (acd/line_audit.py): Asterisk's live channels in, sessions ended
or lines freed out, each logged as an error and counted (`hotline_lines_audited_total`).

Lines the dialer holds are left to it: its own task frees them once the channel's hang-up is seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog

from acd.line_audit import EndSession, HeldLine, LineAudit, Verdict
from acd.trunks import Release, TrunkCapacity
from hotline.asterisk.ami import AmiClient, AmiError
from hotline.asterisk.fastagi.server import FastAgiServer
from hotline.asterisk.originate import CHANNEL_PREFIX as DIALER_PREFIX
from hotline.observability.metrics import Metrics

log = structlog.get_logger("line_audit")


class LineAuditor:
    def __init__(
        self,
        trunks: TrunkCapacity,
        server: FastAgiServer,
        ami: AmiClient | None,
        metrics: Metrics,
        clock: Callable[[], datetime],
        *,
        interval_s: float,
        grace_s: float,
    ):
        self.trunks, self.server, self.ami, self.metrics, self.clock = trunks, server, ami, metrics, clock
        self.interval_s = interval_s
        self.audit = LineAudit(grace_s)

    async def run(self) -> None:
        """Audit every `interval_s` until cancelled (the daemon's TaskGroup ends it)."""
        while True:
            await asyncio.sleep(self.interval_s)
            await self.check_once()

    def _held(self) -> list[HeldLine]:
        sessions = self.server.sessions()
        held = []
        for call_id, (_direction, seized_at) in self.trunks.calls.items():
            if call_id.startswith(DIALER_PREFIX):
                continue
            chan = sessions.get(call_id)
            channel = chan.channel_uniqueid if chan is not None else call_id
            held.append(HeldLine(call_id, channel, seized_at, chan is not None))
        return held

    async def check_once(self) -> list[Verdict]:
        """One audit (nothing while AMI is down: without the channel list nothing is known).
        Asterisk's channels are listed only when the core says it is `due`."""
        if self.ami is None or not self.ami.connected.is_set():
            return []
        held, now = self._held(), self.clock()
        live: set[str] = set()  # not asked while no line is past its grace: it would change nothing
        if self.audit.due(held, now):
            try:
                live = await self.ami.live_channels()
            except AmiError as exc:
                log.warning("line_audit.skipped", error=str(exc))
                return []
        verdicts = self.audit.check(held, live, now)
        for verdict in verdicts:
            log.error(
                "line_audit.freed", call=verdict.call_id, reason=verdict.reason, action=type(verdict).__name__
            )
            self.metrics.line_audited()
            if isinstance(verdict, EndSession) and self.server.abort(verdict.call_id, verdict.reason):
                continue
            if verdict.call_id in self.trunks.calls:  # FreeLine, or the session ended meanwhile
                self.trunks.handle(Release(verdict.call_id), self.clock())
        return verdicts
