"""The dialer's calls: one try from AMI Originate to the end of its call flow.

`place` records the try's start, originates over AMI and, when the customer answered, waits for
the FastAGI call flow (hotline/calls/dialer_call.py) to connect (`answered`) and to end
(`finished`, with the key pressed). Then, however the try ended, it releases the line in the
shared trunk-capacity core once the customer's channel is gone, records the try's end and tells
`on_ended` how it went.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from acd import dialer as core
from acd.trunks import Release, TrunkCapacity
from hotline.asterisk.originate import DialerAmi, DialResult, originate
from hotline.services.dialer_records import DialerRecords
from hotline.settings import Settings

FLOW_START_S = 15.0  # after Asterisk said "answered", for the FastAGI call flow to connect
LINE_FREE_S = 5.0  # after the call flow ended, for Asterisk to hang the customer's channel up


@dataclass(frozen=True)
class TryEnded:
    job_id: str
    result: DialResult
    key: str | None  # the key the customer pressed
    at: datetime


class _Call:
    """One try in progress: has the call flow connected, has it ended, which key was pressed."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.done = asyncio.Event()
        self.key: str | None = None


class DialerAttempts:
    def __init__(
        self,
        settings: Settings,
        trunks: TrunkCapacity,
        ami: DialerAmi | None,
        clock: Callable[[], datetime],
        records: DialerRecords,
        on_ended: Callable[[TryEnded], None],
        *,
        flow_start_s: float = FLOW_START_S,
    ) -> None:
        self.settings = settings
        self.trunks = trunks
        self.ami = ami
        self.clock = clock
        self.records = records
        self.on_ended = on_ended
        self.flow_start_s = flow_start_s
        self._calls: dict[tuple[str, int], _Call] = {}

    async def place(self, cmd: core.Dial, call_id: str) -> None:
        """Place the try on the line `call_id` seized for it; returns once the line is released."""
        call = self._calls[(cmd.job_id, cmd.attempt)] = _Call()
        result: DialResult = "failed"
        reason: str | None = "the daemon stopped during the call"
        assert self.ami is not None  # the dialer has no free line without AMI
        hangup = self.ami.watch_hangup(call_id)
        try:
            self.records.attempt_started(cmd, self.clock())
            placed = await originate(
                self.ami,
                self.settings,
                number=cmd.number,
                job_id=cmd.job_id,
                attempt=cmd.attempt,
                hangup=hangup,
            )
            result, reason = placed.result, placed.reason
            if result == "answered" or call.connected.is_set():
                result, reason = await self._flow_result(call)
                # the line is free once the channel is gone, not when the call flow returns:
                # else the next Originate could briefly make it 5 channels on 4 lines
                await asyncio.wait({hangup}, timeout=LINE_FREE_S)
        finally:
            self.ami.unwatch_hangup(call_id)
            self._calls.pop((cmd.job_id, cmd.attempt), None)
            self.trunks.handle(Release(call_id), self.clock())
            now = self.clock()
            self.records.attempt_ended(cmd, result=result, reason=reason, key=call.key, at=now)
            self.on_ended(TryEnded(cmd.job_id, result, call.key, now))

    async def _flow_result(self, call: _Call) -> tuple[DialResult, str | None]:
        """Answered: wait for the FastAGI call flow to connect, then to end (may take minutes)."""
        try:
            async with asyncio.timeout(self.flow_start_s):
                await call.connected.wait()
        except TimeoutError:
            return "failed", "answered, but the call flow never reached the daemon"
        await call.done.wait()
        return "answered", None

    # ---- for the call flow (hotline/calls/dialer_call.py) --------------------------------
    def answered(self, job_id: str, attempt: int, uniqueid: str) -> bool:
        """The answered try's call flow connected; False if that try is not in progress or has
        connected already."""
        call = self._calls.get((job_id, attempt))
        if call is None or call.connected.is_set():
            return False
        call.connected.set()
        self.records.attempt_answered(job_id, attempt, self.clock(), uniqueid)
        return True

    def finished(self, job_id: str, attempt: int, key: str | None) -> None:
        call = self._calls.get((job_id, attempt))
        if call is not None:
            call.key = key
            call.done.set()
