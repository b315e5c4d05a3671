"""A lab call's recording plays in the console: a sipp caller presses 0, a sipp agent answers
(the agent leg is recorded with MixMonitor, hotline/calls/queue_wait.py), then a supervisor in
chromium opens the call's page; its <audio> element loads (readyState >= 1, HAVE_METADATA), and
the bytes the browser fetches from it - whole and by a range - are the file Asterisk wrote in
its chroot. Needs the console's calls routes (hotline.web.calls.routes.calls_routes) wired into
the daemon's app and `asterisk.recordings_host_dir` pointing into the chroot (e2e_setup)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest
from browser import chromium, require_browser, screenshot, wait_for
from e2e_setup import rows_for
from polling import until
from selenium.webdriver.remote.webdriver import WebDriver
from test_acd_calls import TO_AGENT, registered
from test_web_console import PASSWORD, SHOTS, URL, add_user, log_in, ready_agent

from hotline.settings import load_settings
from lab.agent_phone import AgentPhone
from lab.caller_steps import Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e
CALLER = "13900007311"
# the browser fetches what the <audio> element plays, from its first byte or from a range
FETCH = """const [src, range, done] = arguments;
fetch(src, {credentials: 'same-origin', headers: range ? {Range: range} : {}})
  .then(r => r.arrayBuffer().then(b => {
    let s = ''; const bytes = new Uint8Array(b);
    for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
    done([r.status, r.headers.get('content-range'), btoa(s)]);
  }))
  .catch(e => done([0, String(e), '']));"""


@pytest.fixture(scope="module")
def supervisor(hotline_lab) -> str:
    add_user(hotline_lab[1], "banzhang", "--role", "supervisor", "--name", "值班长")
    return "banzhang"


def fetched(driver: WebDriver, src: str, range_: str | None) -> tuple[int, str | None, bytes]:
    status, content_range, body = driver.execute_async_script(FETCH, src, range_)
    return status, content_range, base64.b64decode(body)


async def finished_file(path: Path) -> bytes:
    """The recording once MixMonitor closed it: its size the same on two reads in a row."""
    sizes: list[int] = []

    def stable() -> bool:
        sizes.append(path.stat().st_size if path.exists() else -1)
        return len(sizes) > 5 and sizes[-1] > 44 and sizes[-1] == sizes[-6]

    await until(stable, 10, f"{path} written and closed")
    return path.read_bytes()


async def test_a_supervisor_plays_a_lab_calls_recording(hotline_lab, daemon, supervisor):
    require_browser()
    settings = load_settings(hotline_lab[1])
    agent = ready_agent(Path(settings.acd.state_file))
    async with AgentPhone(f"1{agent}", f"pw1{agent}-e2e", answer_after=1.0, talk_seconds=5.0):
        await registered(daemon, f"1{agent}")
        assert (await call(caller=CALLER, steps=TO_AGENT + [Wait(20.0)], timeout=50)).ok
    (row,) = await rows_for(settings.database.url, CALLER)
    assert row.outcome == "agent_answered" and row.recording_path
    expected = await finished_file(hotline_lab[0].host_path(row.recording_path))
    with chromium() as driver:
        await asyncio.to_thread(log_in, driver, supervisor, PASSWORD, f"/calls/{row.uniqueid}")
        ready = await asyncio.to_thread(
            wait_for,
            driver,
            lambda d: d.execute_script(
                "const a = document.getElementById('recording'); return a && a.readyState >= 1"
            ),
            15,
        )
        assert ready
        src = driver.execute_script("return document.getElementById('recording').currentSrc")
        assert src == f"{URL}/calls/{row.uniqueid}/recording"
        whole = await asyncio.to_thread(fetched, driver, src, None)
        part = await asyncio.to_thread(fetched, driver, src, "bytes=44-1043")
        screenshot(driver, SHOTS / "call-recording.png")
    assert whole[0] == 200 and whole[2] == expected
    assert part == (206, f"bytes 44-1043/{len(expected)}", expected[44:1044])
