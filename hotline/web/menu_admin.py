"""What the menu pages do with the daemon's menu, off the event loop where it is heavy.

- `check`: the validator of a reload (MenuStore.check), run in `deps.offload`: a big menu takes
  a while to check and the event loop carries the live calls.
- `publish`: check + write the file atomically + swap the running menu (MenuStore.publish, in
  `deps.offload`; calls in progress keep their menu), then record the version and audit it.
- `diff`: the unified diff against the running menu, in `deps.offload` too.
- `diagram`: the running menu's SVG (ivr.menu_svg, every label escaped), drawn in `deps.offload`
  once per menu.
- `file_differs`: the menu file was edited on the server and not reloaded (the page warns that
  publishing replaces that edit).
- `ensure_recorded`: the running menu goes into the history before the console first shows or
  replaces it (menu_history.BY_FOUND), so a roll back to it works.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Callable, Mapping
from typing import TypeVar

import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request

from hotline.services import menu_history
from hotline.services.menus import LoadedMenu, MenuStore
from hotline.web.auth.audit import audit_action
from hotline.web.auth.roles import current_user
from hotline.web.deps import WebDeps
from hotline.web.menu_form import diff_lines
from ivr.menu_svg import menu_svg
from ivr.yaml_source import YamlSyntaxError, read_source

log = structlog.get_logger("web.menu")
T = TypeVar("T")
PUBLISH, ROLLBACK = "menu_publish", "menu_rollback"


class RecordFailed(Exception):
    """The menu is published and running, but its version row or audit entry was not written."""

    def __init__(self, loaded: LoadedMenu) -> None:
        super().__init__(f"menu {loaded.version} published but not recorded")
        self.loaded = loaded


class MenuAdmin:
    def __init__(self, deps: WebDeps, menus: MenuStore, prompts: Mapping[str, str]) -> None:
        self.deps, self.menus, self.prompts = deps, menus, dict(prompts)
        self._svg: tuple[str, str] | None = None  # (sha256, svg) of the last menu drawn

    @property
    def live(self) -> LoadedMenu:
        return self.menus.current

    async def _offload(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.deps.offload, fn)

    async def check(self, raw: bytes) -> LoadedMenu:
        """The menu `raw` would be; MenuError with every problem. Changes nothing."""
        return await self._offload(functools.partial(self.menus.check, raw))

    async def ensure_recorded(self) -> None:
        """SQLAlchemyError if the store cannot be read or written (then do not publish: the
        version would not be kept)."""
        await menu_history.record_if_new(
            self.deps.engine, self.live, at=self.deps.clock(), by=menu_history.BY_FOUND
        )

    async def publish(
        self,
        request: Request,
        raw: bytes,
        *,
        base_sha256: str | None,
        note: str | None,
        rolled_back_from: int | None = None,
    ) -> tuple[LoadedMenu, int]:
        """Publish `raw` (MenuError / MenuConflict / OSError: nothing changed), then record and
        audit it (RecordFailed if that fails: the menu runs, unrecorded). The new menu and its
        version row's id."""
        await self.ensure_recorded()
        old = self.live
        new = await self._offload(functools.partial(self.menus.publish, raw, base_sha256=base_sha256))
        user = current_user(request)
        assert user is not None  # the routes are behind require()
        detail: dict[str, object] = {
            "version": new.version,
            "sha256": new.sha256,
            "replaced": old.version,
            "note": note,
        }
        try:
            row_id = await menu_history.record(
                self.deps.engine,
                new,
                at=self.deps.clock(),
                by=user.username,
                note=note,
                rolled_back_from=rolled_back_from,
            )
            if rolled_back_from is not None:
                detail["rolled_back_from"] = rolled_back_from
            await audit_action(
                request, ROLLBACK if rolled_back_from is not None else PUBLISH, {**detail, "id": row_id}
            )
        except (SQLAlchemyError, OSError) as exc:
            log.error("web.menu_not_recorded", version=new.version, by=user.username, error=repr(exc))
            raise RecordFailed(new) from exc
        return new, row_id

    async def diff(self, draft: str) -> list[tuple[str, str]]:
        """The unified diff from the running menu to `draft` (difflib is quadratic at worst: off
        the loop)."""
        live = self.live
        return await self._offload(
            functools.partial(diff_lines, live.text, draft, f"运行中 {live.version}", "编辑稿")
        )

    async def file_differs(self) -> bool:
        """The menu file on the server is not the running menu (edited there, not reloaded yet, or
        unreadable): a publication would replace that edit."""
        path = self.menus.path

        def differs() -> bool:
            try:
                return hashlib.sha256(read_source(path)).hexdigest() != self.live.sha256
            except YamlSyntaxError:  # unreadable or over the size cap
                return True

        return await self._offload(differs)

    async def diagram(self) -> str:
        live = self.live
        if self._svg is None or self._svg[0] != live.sha256:
            svg = await self._offload(functools.partial(menu_svg, live.menu, self.prompts))
            self._svg = (live.sha256, svg)
        return self._svg[1]
