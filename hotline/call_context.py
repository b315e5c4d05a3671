"""What every call handler needs: settings, store, trunk capacity, AMI state, the clock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from acd.trunks import TrunkCapacity

from .ami import AmiClient
from .settings import Settings
from .store.recorder import CallRecorder


@dataclass
class CallContext:
    settings: Settings
    recorder: CallRecorder
    trunks: TrunkCapacity
    ami: AmiClient | None
    clock: Callable[[], datetime]

    def prompt(self, prompt_id: str) -> str:
        """A prompt's path as Asterisk sees it (no extension: Asterisk picks the format)."""
        return f"{self.settings.asterisk.prompts_dir.rstrip('/')}/{prompt_id}"
