"""The real-browser rig works (no lab needed): Debian's chromium, driven by Selenium, opens the
reports page served by uvicorn (WebServer, port 0), picks a day, follows to the report and sees
its heading; then back to the pickers. Timed; a screenshot of the report is kept in tmp_path."""

from __future__ import annotations

import asyncio
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from browser import chromium, require_browser, screenshot, type_date, wait_for
from console_app import console_app, make_deps, write_config
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from hotline.web.server import WebServer

pytestmark = pytest.mark.browser
NOW = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)  # the pickers show 2026-12-02 at first
HEADING = "国家电网平安县供电服务热线 2026年11月23日 话务统计分析"


def report_heading(driver: WebDriver) -> WebElement | None:
    if "/reports/view" not in driver.current_url:
        return None
    heading = driver.find_element(By.TAG_NAME, "h1")
    return heading if heading.is_displayed() and heading.text == HEADING else None


def pick_day_and_read(base: str, shots: Path) -> dict[str, float]:
    """The browser's part (blocking: run in a thread, the server lives on the test's loop)."""
    t0 = time.perf_counter()
    with chromium() as driver:
        started = time.perf_counter()
        driver.get(f"{base}/reports")
        day = wait_for(driver, lambda d: d.find_element(By.ID, "value-day"))
        assert day.get_attribute("value") == "2026-12-02"
        screenshot(driver, shots / "reports.png")
        type_date(driver, day, date(2026, 11, 23))
        assert day.get_attribute("value") == "2026-11-23"
        clicked = time.perf_counter()
        driver.find_element(By.ID, "view-day").click()
        heading = wait_for(driver, report_heading, timeout=10)
        shown = time.perf_counter()
        assert driver.title == HEADING
        screenshot(driver, shots / "report-day.png")
        driver.find_element(By.ID, "back-to-reports").click()
        back = wait_for(
            driver, lambda d: d.find_element(By.ID, "value-day") if "/reports?" in d.current_url else None
        )
        assert back.get_attribute("value") == "2026-11-23" and heading is not None
    return {"browser_start_s": started - t0, "report_s": shown - clicked, "total_s": time.perf_counter() - t0}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_supervisor_picks_a_day_and_reads_its_report(
    db_url: str, loaded_engine: object, tmp_path: Path, record_property
) -> None:
    require_browser()
    settings = write_config(tmp_path / "hotline.yaml", db_url)
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-offload")
    server = WebServer(console_app(make_deps(settings, pool, NOW), "supervisor", tmp_path), "127.0.0.1", 0)
    await server.start()
    try:
        timings = await asyncio.to_thread(pick_day_and_read, f"http://127.0.0.1:{server.port}", tmp_path)
    finally:
        await server.close()
        pool.shutdown(wait=True)
    for name, seconds in timings.items():
        record_property(name, round(seconds, 3))
    print(" ".join(f"{k}={v:.3f}" for k, v in timings.items()))
    png = (tmp_path / "report-day.png").read_bytes()
    assert png.startswith(b"\x89PNG") and struct.unpack(">II", png[16:24]) == (1920, 1080)  # 1080p page
    assert timings["report_s"] < 5, timings
