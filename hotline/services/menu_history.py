"""The menu's history in the store (table menu_versions, hotline.store.menu_models).

Who records what:
- the web console: each menu it publishes or rolls back to, by the user's name;
- the daemon, after a reload from the file (`hotline menu reload` / SIGHUP): `BY_RELOAD`;
- the web console again, before it first shows or changes the menu: the running menu, if the
  newest row is not that menu (the menu of the first start, a file edited before a restart):
  `BY_FOUND`, so that rolling back to it works.

A menu is recorded again when it runs again (a roll back is a new row naming the row it restored),
so the newest row is always the running menu once anything has been recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.services.menus import LoadedMenu
from hotline.store.menu_models import BY_LEN, NOTE_MAX, MenuVersionRow

log = structlog.get_logger("menus")
BY_RELOAD = "server:reload"  # `hotline menu reload` or a SIGHUP: the file edited on the server
BY_FOUND = "server:running"  # running when first looked at, recorded by no one before
LIST_LIMIT = 100


@dataclass(frozen=True)
class MenuVersion:
    id: int
    version: str
    sha256: str
    published_at: datetime
    published_by: str
    note: str | None
    rolled_back_from: int | None


_COLUMNS = (
    MenuVersionRow.id,
    MenuVersionRow.version,
    MenuVersionRow.sha256,
    MenuVersionRow.published_at,
    MenuVersionRow.published_by,
    MenuVersionRow.note,
    MenuVersionRow.rolled_back_from,
)


async def record(
    engine: AsyncEngine,
    loaded: LoadedMenu,
    *,
    at: datetime,
    by: str,
    note: str | None = None,
    rolled_back_from: int | None = None,
) -> int:
    """Add `loaded` as the newest version; its row id."""
    if not by or len(by) > BY_LEN:
        raise ValueError(f"published_by must be 1..{BY_LEN} characters, got {by!r}")
    if note is not None and len(note) > NOTE_MAX:
        raise ValueError(f"a version's note is at most {NOTE_MAX} characters")
    row = {
        "version": loaded.version,
        "sha256": loaded.sha256,
        "yaml": loaded.text,
        "published_at": at,
        "published_by": by,
        "note": note or None,
        "rolled_back_from": rolled_back_from,
    }
    async with engine.begin() as conn:
        result = await conn.execute(insert(MenuVersionRow).values(**row).returning(MenuVersionRow.id))
        return int(result.scalar_one())


async def latest(engine: AsyncEngine) -> MenuVersion | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(*_COLUMNS).order_by(MenuVersionRow.id.desc()).limit(1))).first()
    return MenuVersion(*row) if row else None


async def record_if_new(
    engine: AsyncEngine, loaded: LoadedMenu, *, at: datetime, by: str, note: str | None = None
) -> int | None:
    """Record `loaded` unless the newest row is already this menu (same bytes); the new row's
    id, or None. Two callers at the same moment may both record it: a harmless repeated row."""
    newest = await latest(engine)
    if newest is not None and newest.sha256 == loaded.sha256:
        return None
    return await record(engine, loaded, at=at, by=by, note=note)


async def versions(engine: AsyncEngine, limit: int = LIST_LIMIT) -> list[MenuVersion]:
    """The newest `limit` versions, newest first."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(*_COLUMNS).order_by(MenuVersionRow.id.desc()).limit(limit))).all()
    return [MenuVersion(*r) for r in rows]


async def version_text(engine: AsyncEngine, version_id: int) -> tuple[MenuVersion, str] | None:
    """A version and its YAML text, or None if there is no such row."""
    async with engine.connect() as conn:
        query = select(*_COLUMNS, MenuVersionRow.yaml).where(MenuVersionRow.id == version_id)
        row = (await conn.execute(query)).first()
    return (MenuVersion(*row[:-1]), row[-1]) if row else None


def reload_recorder(
    engine: AsyncEngine, clock: Callable[[], datetime]
) -> Callable[[LoadedMenu], Awaitable[None]]:
    """What the daemon runs after a reload from the file: record the new menu as `BY_RELOAD`.
    A store that cannot be written is logged, never fatal: the menu runs anyway, and the console
    records it as `BY_FOUND` when it next looks."""

    async def recorded(loaded: LoadedMenu) -> None:
        try:
            await record_if_new(engine, loaded, at=clock(), by=BY_RELOAD)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("menu.version_not_recorded", version=loaded.version, error=repr(exc))

    return recorded
