"""What the console's pages use of the running daemon, handed to `build_app` once: the live
views (wallboard, agent desk) and the daemon's parts a page acts on."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.asterisk.ami import AmiClient
from hotline.bus import EventBus
from hotline.services.acd_driver import AcdRuntime
from hotline.services.dialer_driver import OutboundRuntime
from hotline.services.menus import MenuStore
from hotline.services.peak_mode import PeakMode
from hotline.web.desk.desk import Desk
from hotline.web.live.board import LiveBoard


@dataclass(frozen=True)
class DaemonParts:
    board: LiveBoard  # the wallboard's live state
    desk: Desk  # the agents' desks
    acd: AcdRuntime  # the desk's state buttons and a supervisor's force-pause feed it
    menus: MenuStore  # the live menu: the admin's editor publishes through it
    ami: AmiClient | None  # live supervision's Originate (None: the daemon runs without AMI)
    peak: PeakMode  # switched from the wallboard
    dialer: OutboundRuntime  # told at once when the admin changes a notice or a job; books follow-ups
    bus: EventBus  # a repair order made at the desk is dispatched on it

    def dialer_changed(self) -> None:
        """The store's jobs or notices changed: the dialer reads them now, not at its next poll."""
        self.dialer.poll_soon()
