"""Real-browser helpers for the console's tests: Debian's chromium driven by Selenium.

Imported by tests as `browser` (pytest puts tests/ on sys.path), not a conftest. The browser and
its driver are Debian's packages (lab/host_deps.sh installs `chromium` and `chromium-driver`):
the driver is given to Selenium by its path, so Selenium Manager never runs and nothing is
downloaded; SE_OFFLINE / SE_AVOID_STATS keep it offline and quiet should anything call it.

    require_browser()                      # skip (not CI) or fail (CI=true) if it is missing
    with chromium() as driver:             # headless, 1920x1080, a fresh profile, quit after
        driver.get(url)
        wait_for(driver, lambda d: d.find_element(By.ID, "x"), timeout=5)
        screenshot(driver, tmp_path / "page.png")
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root: chromium's sandbox refuses root
    "--disable-dev-shm-usage",  # containers have a small /dev/shm: use /tmp
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",  # no update checks, no safe-browsing lists
    "--disable-component-update",
    "--disable-sync",
    "--metrics-recording-only",
    "--accept-lang=zh-CN,zh",  # the center's browsers ask for Chinese (the UI stays en-US: Debian
    #                           ships its other locales in chromium-l10n, not installed)
)
T = TypeVar("T")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_browser() -> str | None:
    """Why the browser cannot run here, or None."""
    absent = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if absent:
        return f"{' and '.join(absent)} missing: apt-get install chromium chromium-driver (lab/host_deps.sh)"
    return None


def require_browser() -> None:
    """Skip the test when the browser is missing; in CI (CI=true) a missing browser FAILS it."""
    reason = missing_browser()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"CI needs the real browser: {reason}")
    pytest.skip(reason)


def options(width: int, height: int, profile: Path) -> webdriver.ChromeOptions:
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    return opts


@contextmanager
def chromium(width: int = 1920, height: int = 1080) -> Iterator[WebDriver]:
    """Headless Debian chromium with a fresh temporary profile; quit (and the profile removed)
    whatever happens in the block."""
    os.environ.setdefault("SE_OFFLINE", "true")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    with tempfile.TemporaryDirectory(prefix="hotline-chromium-") as profile:
        log = Path(profile) / "chromedriver.log"
        service = Service(executable_path=str(CHROMEDRIVER), log_output=str(log))
        try:
            driver = webdriver.Chrome(
                service=service, options=options(width, height, Path(profile) / "profile")
            )
        except WebDriverException as exc:  # the log goes with the profile: keep its end in the error
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
            raise RuntimeError(f"chromium did not start: {exc.msg}\nchromedriver log:\n{tail}") from exc
        try:
            _fit_viewport(driver, width, height)
            yield driver
        finally:
            driver.quit()


def _fit_viewport(driver: WebDriver, width: int, height: int) -> None:
    """Make the PAGE width x height (what a 1080p wall screen shows), not the window with its
    toolbars; raises if chromium does not take the size."""
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    outer = driver.get_window_size()
    driver.set_window_size(width + outer["width"] - inner[0], height + outer["height"] - inner[1])
    got = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if got != [width, height]:
        raise RuntimeError(f"chromium shows {got[0]}x{got[1]} instead of {width}x{height}")


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], T], timeout: float = 5.0) -> T:
    """Poll `condition(driver)` until it returns something truthy (returned) or `timeout` seconds
    pass (TimeoutException, naming the condition)."""
    name = getattr(condition, "__name__", repr(condition))
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        condition, f"waited {timeout} s for {name}"
    )


def replaced(element: WebElement) -> Callable[[WebDriver], bool]:
    """A condition for `wait_for`: true once `element` is no longer in the page (the page it was on
    was replaced). Selenium's `staleness_of` only knows the stale-element error; asked while the
    next page is being loaded, chromedriver may answer "Node with given id does not belong to the
    document" instead, which says the same: the element's document is not the current one."""

    def element_replaced(_driver: WebDriver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in (exc.msg or ""):
                return True
            raise
        return False

    return element_replaced


_FIELD_ORDER = """return new Intl.DateTimeFormat(undefined, {year: "numeric", month: "2-digit",
  day: "2-digit"}).formatToParts(new Date(2000, 0, 2)).filter(p => p.type !== "literal").map(p => p.type);"""


def type_date(driver: WebDriver, field: WebElement, value: date) -> None:
    """Type `value` into an <input type="date"> as a person does, in the order of the browser's
    locale (en-US month/day/year, zh-CN year/month/day): a two-digit month or day moves on by
    itself, a year (up to 6 digits) needs the arrow key."""
    keys: list[str] = []
    for part in driver.execute_script(_FIELD_ORDER):
        if part == "year":
            keys += [f"{value.year:04d}", Keys.ARROW_RIGHT]
        else:
            keys.append(f"{value.month:02d}" if part == "month" else f"{value.day:02d}")
    field.send_keys(*keys)


def screenshot(driver: WebDriver, path: Path) -> Path:
    """The visible page as PNG at `path` (its directory created); raises if chromium wrote none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"chromium did not write the screenshot {path}")
    return path
