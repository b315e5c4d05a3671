"""A menu reloaded from the file (`hotline menu reload` / SIGHUP) is recorded in menu_versions by
the daemon; an invalid file or an unchanged one adds nothing; a store that cannot be written is
no reason to refuse the reload."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.daemon.signals import MenuReloader
from hotline.services import menu_history
from hotline.services.menus import MenuStore
from hotline.store.db import make_engine
from hotline.store.menu_models import MenuVersionRow
from ivr.menu_vocab import DEFAULT_CATEGORIES
from prompts.catalog import site_catalog

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = (ROOT / "config" / "menu.yaml").read_text(encoding="utf-8")
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def store_at(path: Path) -> MenuStore:
    path.write_text(ORIGINAL, encoding="utf-8")
    return MenuStore(path, set(site_catalog(company="平安县", agent_ids=["001"])), DEFAULT_CATEGORIES)


async def rows(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    async with engine.connect() as conn:
        query = select(MenuVersionRow.version, MenuVersionRow.published_by, MenuVersionRow.yaml)
        return [tuple(r) for r in (await conn.execute(query.order_by(MenuVersionRow.id))).all()]


async def test_a_reload_from_the_file_is_recorded_once(engine: AsyncEngine, tmp_path: Path) -> None:
    path = tmp_path / "menu.yaml"
    menus = store_at(path)
    reloader = MenuReloader(menus, on_reloaded=menu_history.reload_recorder(engine, lambda: AT))
    edited = ORIGINAL.replace('version: "2025.1"', 'version: "2025.4"')
    path.write_text(edited, encoding="utf-8")
    await reloader.reload()
    assert menus.current.version.startswith("2025.4+")
    assert await rows(engine) == [(menus.current.version, menu_history.BY_RELOAD, edited)]
    await reloader.reload()  # the same file again: the same menu, no second row
    path.write_text(edited.replace("prompt: menu_top", "prompt: gone"), encoding="utf-8")
    await reloader.reload()  # invalid: rejected, nothing recorded
    assert len(await rows(engine)) == 1 and menus.current.version.startswith("2025.4+")
    (newest,) = await menu_history.versions(engine)
    assert newest.sha256 == menus.current.sha256 and newest.published_at == AT


async def test_the_running_menu_is_recorded_only_when_it_is_not_the_newest(engine, tmp_path):
    menus = store_at(tmp_path / "menu.yaml")
    first = await menu_history.record_if_new(engine, menus.current, at=AT, by=menu_history.BY_FOUND)
    again = await menu_history.record_if_new(engine, menus.current, at=AT, by=menu_history.BY_FOUND)
    assert first == 1 and again is None
    found = await menu_history.version_text(engine, 1)
    assert found is not None and found[1] == ORIGINAL and found[0].published_by == menu_history.BY_FOUND
    assert await menu_history.version_text(engine, 2) is None


async def test_a_store_that_cannot_be_written_does_not_stop_the_reload(tmp_path: Path) -> None:
    path = tmp_path / "menu.yaml"
    menus = store_at(path)
    unmigrated = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")  # no menu_versions table
    try:
        reloader = MenuReloader(menus, on_reloaded=menu_history.reload_recorder(unmigrated, lambda: AT))
        path.write_text(ORIGINAL.replace('version: "2025.1"', 'version: "2025.5"'), encoding="utf-8")
        await reloader.reload()
    finally:
        await unmigrated.dispose()
    assert menus.current.version.startswith("2025.5+")
