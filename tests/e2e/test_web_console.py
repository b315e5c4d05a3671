"""The console in a real browser (Debian's chromium) against the lab: a supervisor watches a lab
caller press 0, wait, be answered by a sipp agent and leave the list; the refusals a console
owes (wrong password, rate limit, wrong role, no CSRF token, logged out)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from browser import chromium, replaced, require_browser, screenshot, wait_for
from e2e_setup import WEB_PORT, rows_for
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait
from test_acd_calls import registered

from hotline.settings import load_settings
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e
URL = f"http://127.0.0.1:{WEB_PORT}"
PASSWORD = "Console-e2e-2026"
KPIS = ("inbound", "offered", "answered")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def add_user(cfg: Path, name: str, *args: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotline.cli",
            "users",
            "add",
            name,
            *args,
            "--password-stdin",
            "-c",
            str(cfg),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 or "已存在" in proc.stderr or "已属于" in proc.stderr, proc.stderr


@pytest.fixture(scope="module")
def accounts(hotline_lab) -> None:
    cfg = hotline_lab[1]
    add_user(cfg, "banzhang", "--role", "supervisor", "--name", "值班长")
    add_user(cfg, "zuoxi6", "--role", "agent", "--agent", "006")


def log_in(driver: WebDriver, user: str, password: str = PASSWORD, path: str = "/wallboard") -> None:
    driver.get(f"{URL}{path}")
    wait_for(driver, lambda d: d.find_element(By.ID, "username"))
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys(password)
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/login']")
    form.find_element(By.CSS_SELECTOR, "button").click()
    # returns once the answer to the POST replaced the form: a script run right after the click
    # could still meet the login page (a loaded machine answers slower)
    wait_for(driver, replaced(form), 10)


LINK_STATE = "const e = document.getElementById('link'); return e && e.textContent"  # null: not there yet


# The board re-renders its rows on every push: read the DOM in one script, never through an
# element found earlier (it may be gone by the next call).
def kpi(driver: WebDriver, key: str) -> int:
    value = driver.execute_script(f"return document.getElementById('kpi-{key}').dataset.value")
    return int(value or 0)


def ready_agent(state_file: Path) -> str:
    """An agent the ACD will offer the call to once its phone registers (ready, or logged out:
    registering logs it in), from the ACD's state file; earlier tests leave some paused."""
    if not state_file.exists():  # no agent has changed state yet in this session
        return "001"
    agents = json.loads(state_file.read_text(encoding="utf-8"))["agents"]
    return next(a for a, s in sorted(agents.items()) if s["state"] in ("ready", "logged_out"))


def talking_with(driver: WebDriver, number: str) -> str | None:
    """The 工号 of the agent the board shows talking with `number`, or None."""
    script = (
        "const r = [...document.querySelectorAll('#agents-body tr')].find(r =>"
        f" r.dataset.state === 'talking' && r.children[4].textContent === '{number}');"
        " return r ? r.id.slice('agent-'.length) : null;"
    )
    return driver.execute_script(script)


def waiting_since(driver: WebDriver, number: str) -> str | None:
    """The queued time of the caller's row in the waiting list, None while it is not there."""
    script = (
        f"const r = document.querySelector(\"#waiting-body tr[data-number='{number}']\");"
        " return r ? r.querySelector('td.tick').dataset.since : null;"
    )
    return driver.execute_script(script)


def seen_row(driver: WebDriver, number: str, timeout: float) -> tuple[float, str]:
    """Poll the waiting list until the caller's row shows: (wall time seen, its queued time)."""
    since = wait_for(driver, lambda d: waiting_since(d, number), timeout)
    return time.time(), since


async def test_a_supervisor_sees_the_caller_wait_get_answered_and_leave(hotline_lab, daemon, accounts):
    require_browser()
    settings = load_settings(hotline_lab[1])
    caller, shown = "13900007001", "139****7001"
    agent = ready_agent(Path(settings.acd.state_file))  # earlier tests leave some paused
    with chromium() as driver:
        await asyncio.to_thread(log_in, driver, "banzhang")
        await asyncio.to_thread(
            wait_for,
            driver,
            lambda d: d.execute_script(LINK_STATE) == "实时",
            10,
        )
        before = {k: kpi(driver, k) for k in KPIS}
        phone = AgentPhone(f"1{agent}", f"pw1{agent}-e2e", answer_after=4.0, talk_seconds=4.0)
        async with phone:
            await registered(daemon, f"1{agent}")
            placed = asyncio.create_task(
                call(caller=caller, steps=[Wait(7.5), Dtmf("0"), Wait(25.0)], timeout=50)
            )
            seen, since = await asyncio.to_thread(seen_row, driver, shown, 20)
            delay = seen - datetime.fromisoformat(since).timestamp()
            await asyncio.to_thread(
                wait_for,
                driver,
                lambda d: talking_with(d, shown) is not None,
                40,
            )
            assert talking_with(driver, shown) == agent
            screenshot(driver, SHOTS / "wallboard-talking.png")
            await asyncio.to_thread(
                wait_for,
                driver,
                lambda d: waiting_since(d, shown) is None,
                5,
            )
            assert (await placed).ok and phone.calls_received == 1
        (row,) = await rows_for(settings.database.url, caller)
        await asyncio.to_thread(wait_for, driver, lambda d: kpi(d, "answered") > before["answered"], 10)
        after = {k: kpi(driver, k) for k in KPIS}
    print(f"\nwaiting row on screen {delay * 1000:.0f} ms after the caller joined the queue")
    print(f"KPIs {before} -> {after}")
    assert delay < 1.0, delay
    assert row.outcome == "agent_answered" and row.agent_id == agent
    assert all(after[k] >= before[k] + 1 for k in KPIS), (before, after)


async def test_the_console_refuses_what_it_must(hotline_lab, daemon, accounts):
    require_browser()
    with chromium() as driver:
        # logged out: sent to the login page, and back after it
        await asyncio.to_thread(driver.get, f"{URL}/wallboard?mode=wall")
        assert "/login?next=" in driver.current_url
        # an agent account on a supervisor page: 403
        await asyncio.to_thread(log_in, driver, "zuoxi6", PASSWORD, "/wallboard")
        await asyncio.to_thread(wait_for, driver, lambda d: "无权访问" in d.page_source, 5)
        # a POST without its CSRF token changes nothing: the session survives the refused logout
        status = await asyncio.to_thread(
            driver.execute_script,
            "return fetch('/logout', {method: 'POST', credentials: 'same-origin'}).then(r => r.status)",
        )
        assert status == 403
        await asyncio.to_thread(driver.get, f"{URL}/reports")
        assert "无权访问" in driver.page_source  # still logged in as the agent (refused, not redirected)
    with chromium() as driver:
        # a wrong password, then the rate limit (3 failures) refuses even the right one
        for _ in range(3):
            await asyncio.to_thread(log_in, driver, "banzhang", "wrong-password-1")
            await asyncio.to_thread(wait_for, driver, lambda d: "用户名或密码错误" in d.page_source, 5)
        await asyncio.to_thread(log_in, driver, "banzhang", PASSWORD)
        await asyncio.to_thread(wait_for, driver, lambda d: "登录失败次数过多" in d.page_source, 5)
        assert "/wallboard" not in driver.current_url or "/login" in driver.current_url
        # the window passes (10 s in the e2e config): the right password works again
        assert await asyncio.to_thread(_logs_in_within, driver, 25)


def _logs_in_within(driver: WebDriver, timeout: float) -> bool:
    """Try the right password every half second until it is let in (True) or `timeout` passes."""

    # Each try first looks whether the last one was let in (its answer may come after the check):
    # the wallboard has no login form to fill.
    def let_in(d: WebDriver) -> bool:
        d.get(f"{URL}/wallboard")
        if d.find_elements(By.ID, "kpis"):
            return True
        d.find_element(By.ID, "username").send_keys("banzhang")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
        return False

    return bool(WebDriverWait(driver, timeout, poll_frequency=0.5).until(let_in, "never let in again"))
