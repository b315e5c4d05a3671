"""The running menu, and its hot reload (`hotline menu reload` / SIGHUP).

A reload validates the whole file first; an invalid file changes nothing. Calls in progress keep
the immutable Menu they started with; new calls get the new one. The version stored with each
call is the file's `version` plus a hash of its bytes, so an edit without a version bump still
shows as a different menu.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import structlog

from ivr.errors import MenuError
from ivr.menu_load import load_menu
from ivr.menu_model import Menu

log = structlog.get_logger("menus")


@dataclass(frozen=True)
class LoadedMenu:
    menu: Menu
    version: str  # "<version from the file>+<sha256 prefix>"


class MenuStore:
    def __init__(self, path: Path, known_prompts: set[str]):
        self.path = path
        self.known_prompts = known_prompts
        self.current = self._load()
        self.reloads = 0

    def _load(self) -> LoadedMenu:
        menu = load_menu(self.path, known_prompts=self.known_prompts)
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:8]
        return LoadedMenu(menu, f"{menu.version}+{digest}")

    def reload(self) -> LoadedMenu:
        """Swap in the file's menu for new calls; raises MenuError (menu unchanged) if invalid."""
        try:
            new = self._load()
        except MenuError as exc:
            log.error("menu.reload_rejected", path=str(self.path), errors=exc.errors,
                      running=self.current.version)
            raise
        old, self.current = self.current, new
        self.reloads += 1
        log.info("menu.reloaded", path=str(self.path), old=old.version, new=new.version)
        return new
