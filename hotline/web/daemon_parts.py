"""What the console's pages use of the running daemon, handed to `build_app` once: the live
views (wallboard, agent desk) and the daemon's parts a page acts on."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.services.menus import MenuStore
from hotline.web.desk.desk import Desk
from hotline.web.desk.routes import Feed
from hotline.web.live.board import LiveBoard


@dataclass(frozen=True)
class DaemonParts:
    board: LiveBoard  # the wallboard's live state
    desk: Desk  # the agents' desks
    feed: Feed  # the ACD's input (AcdRuntime.feed): the desk's state buttons
    menus: MenuStore  # the live menu: the admin's editor publishes through it
