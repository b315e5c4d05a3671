"""The knowledge-base search page in a real browser (Debian's chromium, no lab): an agent logs in,
types into the search box and kb.js (under the console's Content-Security-Policy) lists the hits
as text, without leaving the page."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from browser import chromium, require_browser, screenshot, wait_for
from kb_web import build_kb_web
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy.ext.asyncio import AsyncEngine
from web_harness import PASSWORD, Clock, settings

from hotline.web.server import WebServer

pytestmark = pytest.mark.browser
HOSTILE = '<img src=x onerror="document.title=1">违约金说明'


def titles(driver: WebDriver) -> list[str] | None:
    found = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#kb-results .kb-title")]
    return found or None


def search_as_an_agent(base: str, shots: Path) -> tuple[list[str], str, int, str]:
    """The browser's part (blocking: run in a thread, the server lives on the test's loop)."""
    with chromium() as driver:
        driver.get(f"{base}/login?next=%2Fkb")
        driver.find_element(By.ID, "username").send_keys("li")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        box = wait_for(
            driver, lambda d: d.find_element(By.ID, "kb-q") if d.current_url.endswith("/kb") else None
        )
        box.send_keys("违约金")
        found = wait_for(driver, titles, timeout=5)
        screenshot(driver, shots / "kb.png")
        images = len(driver.find_elements(By.CSS_SELECTOR, "#kb-results img"))
        return found, driver.current_url, images, driver.title


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_an_agent_searches_as_they_type(
    engine: AsyncEngine, db_url: str, tmp_path: Path, clock: Clock, offload: ThreadPoolExecutor
) -> None:
    require_browser()
    web = await build_kb_web(engine, settings(db_url, tmp_path), clock, offload)
    await web.article("欠费停电后如何恢复供电", "结清电费及违约金后 24 小时内恢复供电。", "欠费 复电")
    await web.article(HOSTILE, "违约金按规定计收。")
    await web.article("如何缴纳电费", "网上国网App缴费。")
    server = WebServer(web.app, "127.0.0.1", 0)
    await server.start()
    try:
        found, url, images, title = await asyncio.to_thread(
            search_as_an_agent, f"http://127.0.0.1:{server.port}", tmp_path
        )
    finally:
        await server.close()
    assert sorted(found) == sorted(["欠费停电后如何恢复供电", HOSTILE])  # the title as text
    assert images == 0 and title.startswith("知识库")  # no markup of an article ran
    assert url.endswith("/kb?q=%E8%BF%9D%E7%BA%A6%E9%87%91")  # the page's address follows the box
