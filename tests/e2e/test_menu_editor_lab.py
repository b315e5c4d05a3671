"""The admin's menu editor in a real browser against the lab: an invalid edit shows its errors at
the right lines and changes nothing; a valid one is published while a lab caller is in the menu,
and that call is not dropped (it ends on its old menu); roll back brings the old menu back.

Runs its own daemon (its own menu file, database and config; the console on the usual port):
a publication writes the menu file, and the session's daemon reads the repository's own."""

from __future__ import annotations

import asyncio

import pytest
import yaml
from browser import chromium, require_browser, wait_for
from daemon_proc import DaemonProc
from e2e_setup import ROOT, rows_for, write_config
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from test_web_console import URL, add_user, log_in

from lab.caller_steps import Dtmf, Wait
from lab.sipp import start_call

pytestmark = pytest.mark.e2e
ORIGINAL = (ROOT / "config" / "menu.yaml").read_text(encoding="utf-8")
# a prompt id not in the catalog, and key 0 bound to a menu entry
INVALID = ORIGINAL.replace("prompt: menu_top", "prompt: no_such_prompt").replace(
    "      6: feedback", "      6: feedback\n      0: outage"
)
NEW = ORIGINAL.replace('version: "2025.1"', 'version: "2025.2"')


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def menu_daemon(hotline_lab, daemon, e2e_dir):
    """(daemon, config, menu file, database URL): a daemon on a copy of the menu, the session's
    daemon stopped meanwhile (both serve the console's port) and started again after."""
    menu_file = e2e_dir / "menu-editor.yaml"
    menu_file.write_text(ORIGINAL, encoding="utf-8")
    db = f"sqlite+aiosqlite:///{e2e_dir / 'menu-editor.db'}"
    cfg = write_config(e2e_dir / "hotline-menu-editor.yaml", db)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["menu_file"] = str(menu_file)
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    daemon.stop()
    d = DaemonProc(cfg, e2e_dir / "daemon-menu-editor.log")
    try:
        d.start()
        add_user(cfg, "guanli", "--role", "admin", "--name", "管理员")
        yield d, cfg, menu_file, db
    finally:
        d.stop()
        daemon.start()


def open_editor(driver: WebDriver) -> None:
    driver.get(f"{URL}/admin/menu")
    wait_for(driver, lambda d: d.find_element(By.ID, "menu-yaml"), 10)


def edit_and_press(driver: WebDriver, text: str, button: str) -> None:
    """Put `text` in the editor (as a paste does) and press 校验 (menu-check) or 发布 (menu-publish)."""
    area = driver.find_element(By.ID, "menu-yaml")
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", area, text
    )
    driver.find_element(By.ID, button).click()


def error_lines(driver: WebDriver) -> tuple[list[int], list[int]]:
    """(the lines the error list names, the line numbers marked in the editor's gutter)."""
    listed = driver.execute_script(
        "return [...document.querySelectorAll('#menu-errors li')].map(li => Number(li.dataset.line));"
    )
    marked = driver.execute_script(
        "return [...document.querySelectorAll('#menu-gutter span.bad')].map(s => Number(s.textContent));"
    )
    return listed, marked


def live_version(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "live-version").text


async def test_edit_publish_during_a_call_and_roll_back(menu_daemon):
    require_browser()
    proc, _cfg, menu_file, db = menu_daemon
    expected = [line_of(INVALID, "no_such_prompt"), line_of(INVALID, "0: outage")]
    with chromium() as driver:
        await asyncio.to_thread(log_in, driver, "guanli", path="/admin/menu")
        await asyncio.to_thread(wait_for, driver, lambda d: d.find_element(By.ID, "menu-yaml"), 10)
        old = live_version(driver)
        assert old.startswith("2025.1+")
        # invalid: checked, then even "published": errors at their lines, nothing changed
        for button in ("menu-check", "menu-publish"):
            await asyncio.to_thread(open_editor, driver)  # a fresh page: no errors shown yet
            await asyncio.to_thread(edit_and_press, driver, INVALID, button)
            await asyncio.to_thread(wait_for, driver, lambda d: d.find_elements(By.ID, "menu-errors"), 10)
            assert error_lines(driver) == (expected, expected)
            assert live_version(driver) == old
        assert menu_file.read_text(encoding="utf-8") == ORIGINAL
        # valid, published while a caller is in the menu (top -> 4 -> * -> top, then hangs up)
        caller = "13900000951"
        steps = [Wait(7.5), Dtmf("4"), Wait(8.0), Dtmf("*"), Wait(1.0)]
        handle = await start_call(caller=caller, steps=steps, timeout=60)
        await asyncio.to_thread(
            proc.wait_log, lambda e: e.get("event") == "call.started" and e.get("caller") == caller, 20
        )
        await asyncio.to_thread(open_editor, driver)
        await asyncio.to_thread(edit_and_press, driver, NEW, "menu-publish")
        await asyncio.to_thread(wait_for, driver, lambda d: d.find_elements(By.ID, "menu-notice"), 10)
        assert live_version(driver).startswith("2025.2+")
        assert menu_file.read_text(encoding="utf-8") == NEW
        assert (await handle.wait()).ok  # not dropped: it ran its steps and hung up itself
        (row,) = await rows_for(db, caller)
        assert row.outcome == "ivr_only" and row.menu_version == old
        assert [(s["node"], s["key"]) for s in row.ivr_path][:3] == [
            ("top", ""),
            ("guide", "4"),
            ("top", "*"),
        ]
        # roll back to the first version (the menu that ran before the first publication)
        await asyncio.to_thread(driver.get, f"{URL}/admin/menu/versions")
        await asyncio.to_thread(wait_for, driver, lambda d: d.find_element(By.ID, "rollback-1"), 10)
        await asyncio.to_thread(lambda: driver.find_element(By.ID, "rollback-1").click())
        await asyncio.to_thread(wait_for, driver, lambda d: d.find_elements(By.ID, "menu-notice"), 10)
        assert live_version(driver) == old
    assert menu_file.read_text(encoding="utf-8") == ORIGINAL
    after = "13900000952"
    assert (await (await start_call(caller=after, steps=[Wait(1.0)])).wait()).ok
    (row,) = await rows_for(db, after)
    assert row.menu_version == old  # new calls get the rolled-back menu
