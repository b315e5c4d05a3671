"""What every call handler needs: settings, store, trunk capacity, AMI state, menu, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from acd.trunks import TrunkCapacity
from hotline.asterisk.ami import AmiClient
from hotline.bus import EventBus
from hotline.calls.caller_facts import CallerFacts
from hotline.observability.dial_refusals import DialRefusals
from hotline.observability.metrics import Metrics
from hotline.selfservice.lookup import lookup
from hotline.services.acd_driver import AcdRuntime
from hotline.services.dialer_driver import OutboundRuntime
from hotline.services.menus import MenuStore
from hotline.services.peak_mode import PeakMode
from hotline.settings import Settings
from hotline.store.recorder import CallRecorder
from ivr.events import PlayItem


@dataclass
class CallContext:
    settings: Settings
    recorder: CallRecorder
    trunks: TrunkCapacity
    ami: AmiClient | None
    menus: MenuStore
    acd: AcdRuntime
    peak: PeakMode
    engine: AsyncEngine
    caller_facts: CallerFacts  # the lookup before the menu (on `engine`)
    bus: EventBus
    metrics: Metrics
    refusals: DialRefusals  # numbers outbound.dial_patterns does not allow: log, metric, event
    clock: Callable[[], datetime]
    outbound: OutboundRuntime | None = None  # the dialer (None in tests that do not need it)

    def prompt(self, prompt_id: str) -> str:
        """A prompt's path as Asterisk sees it (no extension: Asterisk picks the format)."""
        return f"{self.settings.asterisk.prompts_dir.rstrip('/')}/{prompt_id}"

    async def lookup(self, kind: str, value: str, *, caller_number: str) -> tuple[PlayItem, ...]:
        """Self-service data for the IVR's Lookup command (bill, outage by area / caller)."""
        return await lookup(self.engine, kind, value, caller_number=caller_number, now=self.clock())

    def call_ended(self, uniqueid: str, direction: str, outcome: str, reason: str | None) -> None:
        """Live event + metric for a call's final outcome (the store row is written separately)."""
        self.bus.call_ended(uniqueid, direction, outcome, reason)
        self.metrics.call_ended(outcome, direction)
