"""The running menu, and its hot reload (`hotline menu reload` / SIGHUP).

A reload validates the whole file first; an invalid file changes nothing. Calls in progress keep
the immutable Menu they started with; new calls get the new one. The version stored with each
call is the file's `version` plus a hash of its bytes, so an edit without a version bump still
shows as a different menu.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from hotline.store.models import Call
from ivr.errors import MenuError
from ivr.menu_load import parse_menu
from ivr.menu_model import Menu
from ivr.yaml_source import YamlSyntaxError, decode_source, read_source

log = structlog.get_logger("menus")
VERSION_COLUMN_LEN: int = Call.menu_version.type.length  # a String(n) column


@dataclass(frozen=True)
class LoadedMenu:
    menu: Menu
    version: str  # "<version from the file>+<sha256 prefix>"


class MenuStore:
    def __init__(self, path: Path, known_prompts: set[str], categories: Sequence[str]):
        """`categories`: the site's configured category keys (Settings.categories.keys), the
        only ones a node may name; the same for every reload (they are part of the site config)."""
        self.path = path
        self.known_prompts = known_prompts
        self.categories = tuple(categories)
        self.current = self._load()
        self.reloads = 0

    def _load(self) -> LoadedMenu:
        """Read the file once (size-capped), check it, and version it by those same bytes."""
        try:
            raw = read_source(self.path)
            text = decode_source(raw, self.path)
        except YamlSyntaxError as exc:
            raise MenuError([str(exc)]) from None
        menu = parse_menu(
            text, known_prompts=self.known_prompts, path=str(self.path), categories=self.categories
        )
        version = f"{menu.version}+{hashlib.sha256(raw).hexdigest()[:8]}"
        if len(version) > VERSION_COLUMN_LEN:  # the model's limit keeps this from happening
            raise MenuError([f"{self.path}:1: version: too long to store with the calls ({version!r})"])
        return LoadedMenu(menu, version)

    def reload(self) -> LoadedMenu:
        """Swap in the file's menu for new calls; raises MenuError (menu unchanged) if invalid.

        Whatever goes wrong while loading - a bad file or a bug in a check - is a MenuError: a
        SIGHUP must never disturb the running menu or the calls using it."""
        try:
            new = self._load()
        except MenuError as exc:
            log.error(
                "menu.reload_rejected", path=str(self.path), errors=exc.errors, running=self.current.version
            )
            raise
        except Exception as exc:  # noqa: BLE001 - any other failure keeps the running menu too
            log.exception("menu.reload_failed", path=str(self.path), running=self.current.version)
            raise MenuError([f"{self.path}:0: cannot load the menu: {exc!r}"]) from exc
        old, self.current = self.current, new
        self.reloads += 1
        log.info("menu.reloaded", path=str(self.path), old=old.version, new=new.version)
        return new
