"""Live supervision on the lab: a lab caller is answered by a sipp agent; a supervisor clicks 监听
on the wallboard (a real browser); the supervisor's phone (a sipp UAS registered as the
`supervisors:` extension, its SDP pointing at an RTP sink) is rung and then receives the agent
call's audio - the caller's voice - until the call ends."""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path

import pytest
from browser import chromium, require_browser, screenshot, wait_for
from e2e_setup import SUPERVISORS, rows_for
from polling import until
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select
from test_acd_calls import ami, registered
from test_web_console import SHOTS, add_user, log_in, ready_agent, talking_with

from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.web_models import AuditRow
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Speak, Wait
from lab.rtp_pcap import wav_to_pcap
from lab.rtp_sink import RtpSink
from lab.sipp import call

pytestmark = pytest.mark.e2e
SUPERVISOR = SUPERVISORS[0]  # jianting, extension 1201
CALLER, SHOWN = "13900007301", "139****7301"


@pytest.fixture(scope="module")
def supervisor_account(hotline_lab) -> None:
    add_user(hotline_lab[1], SUPERVISOR["user"], "--role", "supervisor", "--name", SUPERVISOR["name"])


def long_voice(src: Path, dst: Path, times: int) -> None:
    """`src` (8 kHz mono speech) played `times` over, as one WAV: one RTP stream, no repeats."""
    with wave.open(str(src), "rb") as w:
        params, frames = w.getparams(), w.readframes(w.getnframes())
    with wave.open(str(dst), "wb") as out:
        out.setparams(params)
        out.writeframes(frames * times)


def click_listen(driver: WebDriver, agent: str) -> bool:
    """Click the agent row's 监听 once it is enabled (the row is re-rendered on every push: find
    and click in one script)."""
    script = (
        f"const b = document.querySelector('#agent-{agent} button[data-op=\"listen\"]');"
        " if (!b || b.disabled) return false; b.click(); return true;"
    )
    return bool(driver.execute_script(script))


def message(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "sv-msg").text


async def audited_spies(db_url: str) -> list[dict]:
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(AuditRow).where(AuditRow.action == "supervise_spy"))).all()
    finally:
        await engine.dispose()
    return [{"user": r.username, **json.loads(r.detail)} for r in rows]


async def test_a_supervisor_listens_to_an_agents_call_from_the_wallboard(
    hotline_lab, daemon, supervisor_account, e2e_dir
):
    require_browser()
    settings = load_settings(hotline_lab[1])
    agent = ready_agent(Path(settings.acd.state_file))
    wav = e2e_dir / "supervision_voice.wav"
    long_voice(e2e_dir / "lab" / "prompts" / "menu_top.wav", wav, 2)
    seconds = wav_to_pcap(wav, e2e_dir / "supervision_voice.pcap")  # about 36 s of speech
    conn = await ami(hotline_lab)
    try:
        with chromium() as driver:
            await asyncio.to_thread(log_in, driver, SUPERVISOR["user"])
            await asyncio.to_thread(
                wait_for, driver, lambda d: d.find_element(By.ID, "link").text == "实时", 10
            )
            async with (
                RtpSink() as sink,
                AgentPhone(
                    SUPERVISOR["extension"],
                    SUPERVISOR["secret"],
                    mode="listen",
                    rtp_port=sink.port,
                    answer_after=0.5,
                ) as phone,
                AgentPhone(f"1{agent}", f"pw1{agent}-e2e", answer_after=1.0) as agent_phone,
            ):
                await registered(daemon, SUPERVISOR["extension"])
                await registered(daemon, f"1{agent}")
                steps = [
                    Wait(7.5),
                    Dtmf("0"),
                    Wait(3.0),
                    Speak(str(e2e_dir / "supervision_voice.pcap"), seconds),
                    Wait(2.0),
                ]
                placed = asyncio.create_task(call(caller=CALLER, steps=steps, timeout=seconds + 60))
                await asyncio.to_thread(wait_for, driver, lambda d: talking_with(d, SHOWN) == agent, 40)
                await asyncio.to_thread(wait_for, driver, lambda d: click_listen(d, agent), 5)
                await asyncio.to_thread(wait_for, driver, lambda d: "已接通" in message(d), 30)
                screenshot(driver, SHOTS / "wallboard-listening.png")
                # the caller is still speaking: the supervisor's phone hears it through ChanSpy
                await until(
                    lambda: sink.loud_packets() >= 100, 20, "the caller's voice at the supervisor's phone"
                )
                spy = await conn.wait_event(lambda e: e.get("Event") == "ChanSpyStart", 5)
                result = await placed
                # ChanSpy's E option: the supervisor's phone is hung up when the agent's call ends
                await until(lambda: phone.count("remote_hangup") == 1, 15, "the supervisor's phone hung up")
                heard = (sink.packets, sink.loud_packets(), dict(sink.by_payload_type))
                # read while the phones run: their event logs go with them
                rung = (agent_phone.calls_received, phone.calls_received, phone.count("answered"))
    finally:
        await conn.close()
    print(f"\nsupervisor's phone: {heard[0]} RTP packets, {heard[1]} with sound, payload types {heard[2]}")
    assert result.ok and rung == (1, 1, 1)  # the agent rung once; the supervisor rung and answered
    assert spy["SpyerChannel"].startswith(f"PJSIP/{SUPERVISOR['extension']}-")
    assert spy["SpyeeChannel"].startswith(f"PJSIP/1{agent}-")
    assert set(heard[2]) <= {0, 8}  # G.711: what the phone's SDP offered
    (row,) = await rows_for(settings.database.url, CALLER)
    assert row.outcome == "agent_answered" and row.agent_id == agent
    assert await audited_spies(settings.database.url) == [
        {
            "user": SUPERVISOR["user"],
            "agent_id": agent,
            "mode": "listen",
            "phone": SUPERVISOR["extension"],
            "result": "answered",
            "reason": None,
        }
    ]
