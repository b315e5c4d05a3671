"""The running menu: its hot reload (`hotline menu reload` / SIGHUP) and its publication from the
web console (`publish`).

A reload or a publication validates the whole menu first; an invalid one changes nothing (file,
running menu). Calls in progress keep the immutable Menu they started with; new calls get the new
one, swapped in by one assignment. The version stored with each call is the menu's `version` plus
a hash of its bytes, so an edit without a version bump still shows as a different menu.

Reload and publish run in worker threads (never on the calls' event loop), one at a time.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from hotline.services.menu_file import replace_file
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
    raw: bytes  # the bytes this menu was read from (UTF-8 YAML): the file's, or the published ones

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8")


class MenuConflict(Exception):
    """A publication that would not do what its author meant (the message says why); nothing changed."""


class MenuStale(MenuConflict):
    """Another menu has been swapped in since the author's edit began from the running one."""


class MenuUnchanged(MenuConflict):
    """The menu to publish is the running menu, byte for byte."""


class MenuStore:
    def __init__(self, path: Path, known_prompts: set[str], categories: Sequence[str]):
        """`categories`: the site's configured category keys (Settings.categories.keys), the
        only ones a node may name; the same for every reload (they are part of the site config)."""
        self.path = path
        self.known_prompts = known_prompts
        self._lock = threading.Lock()  # one reload or publication at a time
        self.categories = tuple(categories)
        self.current = self._load()
        self.reloads = 0

    def _load(self) -> LoadedMenu:
        """Read the file once (size-capped), check it, and version it by those same bytes."""
        try:
            raw = read_source(self.path)
        except YamlSyntaxError as exc:
            raise MenuError([str(exc)]) from None
        return self.check(raw)

    def check(self, raw: bytes) -> LoadedMenu:
        """The menu `raw` (a whole menu file's bytes) would be, checked as a reload checks the
        file; MenuError (`file:line: message` each) if it is not valid. Changes nothing."""
        try:
            text = decode_source(raw, self.path)
        except YamlSyntaxError as exc:
            raise MenuError([str(exc)]) from None
        try:
            menu = parse_menu(
                text, known_prompts=self.known_prompts, path=str(self.path), categories=self.categories
            )
        except MenuError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in a check must not look like a valid menu
            log.exception("menu.check_failed", path=str(self.path))
            raise MenuError([f"{self.path}:0: cannot load the menu: {exc!r}"]) from exc
        version = f"{menu.version}+{hashlib.sha256(raw).hexdigest()[:8]}"
        if len(version) > VERSION_COLUMN_LEN:  # the model's limit keeps this from happening
            raise MenuError([f"{self.path}:1: version: too long to store with the calls ({version!r})"])
        return LoadedMenu(menu, version, raw)

    def node_labels(self) -> dict[str, str]:
        """The running menu's node names (id -> label, the id when it has none), for people."""
        return {node_id: node.label or node_id for node_id, node in self.current.menu.nodes.items()}

    def reload(self) -> LoadedMenu:
        """Swap in the file's menu for new calls; raises MenuError (menu unchanged) if invalid.

        Whatever goes wrong while loading - a bad file or a bug in a check - is a MenuError: a
        SIGHUP must never disturb the running menu or the calls using it."""
        with self._lock:
            try:
                new = self._load()
            except MenuError as exc:
                log.error(
                    "menu.reload_rejected",
                    path=str(self.path),
                    errors=exc.errors,
                    running=self.current.version,
                )
                raise
            except Exception as exc:  # noqa: BLE001 - any other failure keeps the running menu too
                log.exception("menu.reload_failed", path=str(self.path), running=self.current.version)
                raise MenuError([f"{self.path}:0: cannot load the menu: {exc!r}"]) from exc
            return self._swap(new, "menu.reloaded")

    def publish(self, raw: bytes, *, base_sha256: str | None = None) -> LoadedMenu:
        """Check `raw`, write it over the menu file atomically (its permissions kept) and swap it
        in for new calls. `base_sha256`: the running menu the author started from; if another
        menu is running by now, MenuConflict. Invalid (MenuError), unchanged or stale
        (MenuConflict), or not writable (OSError): the file and the running menu are untouched."""
        with self._lock:
            running = self.current
            if base_sha256 is not None and base_sha256 != running.sha256:
                raise MenuStale(
                    f"the running menu changed to {running.version} after the edit began: "
                    "open the editor again and re-apply the edit"
                )
            new = self.check(raw)
            if new.sha256 == running.sha256:
                raise MenuUnchanged(f"this is the running menu {running.version}: nothing to publish")
            replace_file(self.path, raw)
            return self._swap(new, "menu.published")

    def _swap(self, new: LoadedMenu, event: str) -> LoadedMenu:
        old, self.current = self.current, new
        self.reloads += 1
        log.info(event, path=str(self.path), old=old.version, new=new.version)
        return new
