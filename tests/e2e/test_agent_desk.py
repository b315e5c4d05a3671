"""The agent desk in a real browser against the lab: a caller with an account presses 0, the
screen pop (account, IVR path) is on the agent's page while their sipp phone still rings; after
the talk the agent files the disposition (on the call row and in the day report) and a repair
order (on the real mosquitto within 1 s), and the next caller from that area hears the repair
notice before the menu."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import aiomqtt
import pytest
import yaml
from browser import chromium, require_browser, screenshot, wait_for
from daemon_proc import DaemonProc
from e2e_setup import WEB_PORT, rows_for, write_config
from mqtt_broker import MosquittoBroker
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from test_acd_calls import registered
from test_web_console import PASSWORD, add_user, log_in

from hotline.selfservice.account_import import upsert_accounts
from hotline.selfservice.local_time import LOCAL_TZ
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e
URL = f"http://127.0.0.1:{WEB_PORT}"
PREFIX = "e2e/desk"
CALLER, NEIGHBOUR, AREA = "13900008001", "13900008002", "060601"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _account(number: str, phone: str) -> dict[str, object]:
    return {
        "account_number": number,
        "area_code": AREA,
        "masked_name": "王*",
        "phone": phone,
        "balance": Decimal("35.20"),
        "last_bill_amount": Decimal("61.80"),
        "last_bill_month": "2026-11",
        "last_usage_kwh": Decimal("103.0"),
        "address": "城关镇东风路 8 号",
    }


async def _accounts(db: str) -> None:
    engine = make_engine(db)
    try:
        rows = [_account("3100008001", CALLER), _account("3100008002", NEIGHBOUR)]
        await upsert_accounts(engine, rows, now=datetime.now(LOCAL_TZ))
    finally:
        await engine.dispose()


async def _call_row(db: str, uniqueid: str):
    engine = make_engine(db)
    try:
        return next(r for r in await fetch_calls(engine) if r.uniqueid == uniqueid)
    finally:
        await engine.dispose()


def js(driver: WebDriver, script: str):
    return driver.execute_script(script)


def pop_while_ringing(driver: WebDriver) -> dict | None:
    """The pop's account and path, read in one script while the pop says ringing, else None."""
    return js(
        driver,
        "const p = document.getElementById('pop');"
        " const acct = document.querySelector('#pop-accounts tr td');"
        " if (p.dataset.phase !== 'ringing' || !acct) return null;"
        " return {account: acct.textContent, path: document.getElementById('call-path').textContent,"
        " number: document.getElementById('call-number').textContent, uniqueid: p.dataset.uniqueid};",
    )


def _desk_config(e2e_dir: Path, broker: MosquittoBroker) -> tuple[Path, str]:
    db = f"sqlite+aiosqlite:///{e2e_dir / 'desk.db'}"
    cfg = write_config(e2e_dir / "hotline-desk.yaml", db)
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["mqtt"] = {"host": broker.host, "port": broker.port, "topic_prefix": PREFIX}
    data["acd"]["wrap_up_seconds"] = 120  # the agent files in wrap-up; saving the disposition ends it
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return cfg, db


def _ready(driver: WebDriver) -> None:
    """The agent's desk says 空闲, after 签入 / 恢复接听 if it has to."""
    state = js(driver, "return document.getElementById('agent-state').dataset.state")
    for button in ("btn-login", "btn-resume"):
        if state in ("logged_out", "paused") and driver.find_element(By.ID, button).is_enabled():
            driver.find_element(By.ID, button).click()
    wait_for(
        driver, lambda d: js(d, "return document.getElementById('agent-state').dataset.state") == "ready", 10
    )


def _file(driver: WebDriver) -> None:
    Select(driver.find_element(By.ID, "disp-category")).select_by_value("fault_repair")
    driver.find_element(By.ID, "disp-note").send_keys("东风路整段无电，已建抢修单")
    assert js(driver, "return document.getElementById('agent-state').dataset.state") == "wrap_up"
    driver.find_element(By.ID, "disp-save").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "disp-saved").text.startswith("已保存"), 10)
    wait_for(
        driver, lambda d: js(d, "return document.getElementById('agent-state').dataset.state") == "ready", 5
    )


def _repair_order(driver: WebDriver) -> float:
    Select(driver.find_element(By.ID, "order-kind")).select_by_value("repair")
    # the form starts from the caller's one account: its area and address
    assert driver.find_element(By.ID, "order-area").get_attribute("value") == AREA
    assert driver.find_element(By.ID, "order-address").get_attribute("value") == "城关镇东风路 8 号"
    Select(driver.find_element(By.ID, "order-fault-type")).select_by_value("line")
    driver.find_element(By.ID, "order-fault-subtype").send_keys("断线")
    driver.find_element(By.ID, "order-description").send_keys("东风路一段导线断落，整段无电")
    clicked = time.time()
    driver.find_element(By.ID, "order-save").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "order-result").text.startswith("已建工单"), 10)
    return clicked


def _day_report(cfg: Path) -> dict:
    day = datetime.now(LOCAL_TZ).date().isoformat()
    proc = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "report", "--day", day, "--format", "json", "-c", str(cfg)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


async def _agent_takes_the_call(driver: WebDriver, d: DaemonProc) -> dict:
    """The pop as read while the agent's phone rang, with the wall time it was seen."""
    phone = AgentPhone("1006", "pw1006-e2e", answer_after=4.0, talk_seconds=4.0)
    async with phone:
        await registered(d, "1006")
        await asyncio.to_thread(_ready, driver)
        placed = asyncio.create_task(
            call(caller=CALLER, steps=[Wait(7.5), Dtmf("0"), Wait(25.0)], timeout=50)
        )
        pop = await asyncio.to_thread(wait_for, driver, pop_while_ringing, 20)
        pop["seen"] = time.time()
        screenshot(driver, SHOTS / "desk-ringing.png")
        await asyncio.to_thread(
            wait_for,
            driver,
            lambda dr: js(dr, "return document.getElementById('pop').dataset.phase") != "ringing",
            20,
        )
        assert (await placed).ok and phone.calls_received == 1
    return pop


async def test_the_agent_desk_from_ring_to_repair_order(hotline_lab, daemon, e2e_dir):
    require_browser()
    broker = MosquittoBroker()
    broker.start()
    cfg, db = _desk_config(e2e_dir, broker)
    daemon.stop()
    d = DaemonProc(cfg, e2e_dir / "daemon-desk.log")
    try:
        d.start()
        await _accounts(db)
        add_user(cfg, "zuoxi6", "--role", "agent", "--agent", "006")
        async with aiomqtt.Client(broker.host, broker.port) as mqtt:
            await mqtt.subscribe(f"{PREFIX}/dispatch/repair_order", qos=1)
            with chromium() as driver:
                await asyncio.to_thread(log_in, driver, "zuoxi6", PASSWORD, "/agent")
                await asyncio.to_thread(
                    wait_for, driver, lambda dr: dr.find_elements(By.ID, "agent-state"), 10
                )
                pop = await _agent_takes_the_call(driver, d)
                assert pop["account"] == "3100008001" and pop["number"] == CALLER
                assert "转人工" in pop["path"] or "（按 0）" in pop["path"], pop["path"]
                await asyncio.to_thread(_file, driver)
                clicked = await asyncio.to_thread(_repair_order, driver)
                message = await asyncio.wait_for(anext(aiter(mqtt.messages)), 5)
                arrived = time.time()
                screenshot(driver, SHOTS / "desk-filed.png")
        order = json.loads(message.payload)
        print(f"\nrepair order on MQTT {1000 * (arrived - clicked):.0f} ms after the agent's click")
        assert arrived - clicked < 1.0 and order["area_code"] == AREA and order["fault_type"] == "line"
        assert (order["caller_number"], order["account_number"]) == (CALLER, "3100008001")
        row = await _call_row(db, pop["uniqueid"])
        assert (row.agent_category, row.disposed_by) == ("fault_repair", "006")
        ahead = row.talk_started_at.timestamp() - pop["seen"]
        print(f"screen pop on the desk {ahead:.1f} s before the agent answered")
        assert ahead > 0, "the pop must be on screen before the agent answers"
        shares = {s["category"]: s["calls"] for s in _day_report(cfg)["agent_categories"]}
        assert shares.get("fault_repair") == 1, shares
        # the next caller from that area hears the repair notice before the menu
        assert (await call(caller=NEIGHBOUR, steps=[Wait(14.0)], timeout=30)).ok
        (neighbour,) = await rows_for(db, NEIGHBOUR)
        assert neighbour.ivr_path[0]["node"] == "repair_notice", neighbour.ivr_path
    finally:
        d.stop()
        broker.cleanup()
        daemon.start()
