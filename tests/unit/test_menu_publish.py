"""MenuStore.publish: check, write the file atomically with its permissions, swap the running menu;
anything refused leaves the file, the running menu and the folder as they were."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hotline.services.menu_file import replace_file
from hotline.services.menus import MenuStale, MenuStore, MenuUnchanged
from ivr.errors import MenuError
from ivr.menu_vocab import DEFAULT_CATEGORIES
from prompts.catalog import site_catalog

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = (ROOT / "config" / "menu.yaml").read_bytes()
NEW = ORIGINAL.replace(b'version: "2025.1"', b'version: "2025.2"')
INVALID = ORIGINAL.replace(b"prompt: menu_top", b"prompt: no_such_prompt")


def store_at(path: Path) -> MenuStore:
    path.write_bytes(ORIGINAL)
    return MenuStore(path, set(site_catalog(company="平安县", agent_ids=["001"])), DEFAULT_CATEGORIES)


def test_publish_writes_the_file_and_swaps_the_menu_keeping_the_files_mode(tmp_path):
    path = tmp_path / "menu.yaml"
    store = store_at(path)
    os.chmod(path, 0o600)
    old = store.current
    new = store.publish(NEW, base_sha256=old.sha256)
    assert path.read_bytes() == NEW and os.stat(path).st_mode & 0o777 == 0o600
    assert store.current is new and new.version.startswith("2025.2+") and new.raw == NEW
    assert old.version.startswith("2025.1+")  # what a call in progress holds is left alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["menu.yaml"]  # no temporary file left


def test_a_symlinked_menu_keeps_its_link(tmp_path):
    real = tmp_path / "deploy" / "menu.yaml"
    real.parent.mkdir()
    store_at(real)
    link = tmp_path / "menu.yaml"
    link.symlink_to(real)
    store = MenuStore(link, set(site_catalog(company="平安县", agent_ids=["001"])), DEFAULT_CATEGORIES)
    store.publish(NEW)
    assert link.is_symlink() and real.read_bytes() == NEW


@pytest.mark.parametrize(
    ("raw", "error"),
    [(INVALID, MenuError), (b"version: \xff\n", MenuError), (ORIGINAL, MenuUnchanged)],
)
def test_what_is_refused_changes_nothing(tmp_path, raw, error):
    path = tmp_path / "menu.yaml"
    store = store_at(path)
    running = store.current
    with pytest.raises(error):
        store.publish(raw)
    assert path.read_bytes() == ORIGINAL and store.current is running and store.reloads == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["menu.yaml"]


def test_an_edit_begun_on_another_menu_is_refused(tmp_path):
    path = tmp_path / "menu.yaml"
    store = store_at(path)
    began_on = store.current.sha256
    store.publish(NEW, base_sha256=began_on)
    running = store.current
    with pytest.raises(MenuStale, match="changed to 2025.2"):
        store.publish(NEW.replace(b"2025.2", b"2025.3"), base_sha256=began_on)
    assert store.current is running and path.read_bytes() == NEW


def test_invalid_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "menu.yaml"
    store = store_at(path)
    line = INVALID.decode().splitlines().index("    prompt: no_such_prompt") + 1
    with pytest.raises(MenuError) as exc:
        store.check(INVALID)
    assert exc.value.errors == [f"{path}:{line}: prompt 'no_such_prompt' is not in the prompt catalog"]


def test_a_bug_in_a_check_is_a_menu_error_and_publishes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "menu.yaml"
    store = store_at(path)

    def broken(*args, **kwargs):
        raise RecursionError("a bug in a check")

    monkeypatch.setattr("hotline.services.menus.parse_menu", broken)
    with pytest.raises(MenuError, match="cannot load the menu"):
        store.publish(NEW)
    assert path.read_bytes() == ORIGINAL


def test_a_folder_in_the_files_place_is_refused_and_left(tmp_path):
    target = tmp_path / "menu.yaml"
    target.mkdir()
    with pytest.raises(IsADirectoryError):
        replace_file(target, NEW)
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["menu.yaml"]


def test_a_new_file_gets_a_readable_mode(tmp_path):
    target = tmp_path / "menu.yaml"
    replace_file(target, NEW)
    assert target.read_bytes() == NEW and os.stat(target).st_mode & 0o777 == 0o644
