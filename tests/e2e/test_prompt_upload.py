"""An admin uploads a studio recording over the greeting through the console (httpx, real login
and CSRF token); the next lab call hears it. "Its file is what Asterisk played" is shown by a chain:

1. the console recorded the upload with the sha256 of the converted WAV, and the file at
   <chroot>/<asterisk.prompts_dir>/greeting.wav has that sha256 and carries the uploaded tone;
2. beside it are only its G.711 copies `greeting.alaw` / `greeting.ulaw`, holding the WAV's samples
   (prompts.native_formats, on in the lab; off: the WAV is the only `greeting.*`): Asterisk picks
   among the formats of that name;
3. for this call's channel, AMI reports the AGI command `STREAM FILE "<prompts_dir>/greeting"` and
   Asterisk's full log `<channel> Playing '<prompts_dir>/greeting.ulaw'`: the channel's write
   format while it plays, µ-law, the lab caller's only codec, so the copy is played as it is, not
   transcoded (WAV only: `.slin`, the WAV's format, translated to µ-law for every frame).

The stored call (events, ivr_path) does not say which prompt files were played: the AMI events
and the full log do. The override is reverted at the end (the greeting is rendered again).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import wave
from pathlib import Path

import httpx
import pytest
from e2e_setup import WEB_PORT, rows_for
from g711_reference import assert_in_step
from test_ivr_calls import _ami
from test_web_console import PASSWORD, add_user

from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.prompt_overrides import overrides
from lab.caller_steps import Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e
URL = f"http://127.0.0.1:{WEB_PORT}"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TONE_HZ = 523.25
CALLER = "13900009101"


def studio_tone(seconds: float = 3.0, rate: int = 44100) -> bytes:
    """A 44.1 kHz stereo WAV as a studio exports it, a C5 tone unlike any speech prompt."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * TONE_HZ * i / rate))) * 2
        for i in range(int(rate * seconds))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def tone_of(path: Path) -> float:
    """The frequency of a mono 16-bit WAV's tone, from its zero crossings."""
    with wave.open(str(path), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        samples = [s for (s,) in struct.iter_unpack("<h", w.readframes(w.getnframes()))]
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / 8000)


async def csrf(c: httpx.AsyncClient, path: str) -> str:
    found = CSRF.search((await c.get(path, headers={"accept": "text/html"})).text)
    assert found, path
    return found.group(1)


async def admin_client(cfg: Path) -> httpx.AsyncClient:
    add_user(cfg, "guanli", "--role", "admin", "--name", "管理员")
    c = httpx.AsyncClient(base_url=URL, timeout=30)
    form = {"username": "guanli", "password": PASSWORD, "csrf_token": await csrf(c, "/login")}
    assert (await c.post("/login", data=form)).status_code == 303
    return c


def channel_of(events: list[dict[str, str]], uniqueid: str) -> str:
    return next(e["Channel"] for e in events if e.get("Uniqueid") == uniqueid and e.get("Channel"))


def streamed(events: list[dict[str, str]], uniqueid: str) -> list[str]:
    """The paths the call's AGI asked Asterisk to stream, in order."""
    return [
        e["Command"].split('"')[1]
        for e in events
        if e.get("Event") == "AGIExecStart"
        and e.get("Uniqueid") == uniqueid
        and e.get("Command", "").startswith("STREAM FILE")
    ]


async def test_an_uploaded_prompt_is_what_the_next_call_hears(hotline_lab, daemon) -> None:
    asterisk, cfg = hotline_lab
    settings = load_settings(cfg)
    prompt = f"{settings.asterisk.prompts_dir.rstrip('/')}/greeting"  # as Asterisk is asked for it
    on_host = asterisk.host_path(prompt + ".wav")
    c = await admin_client(cfg)
    try:
        files = {"audio": ("迎宾语-录音室.wav", studio_tone(), "audio/wav")}
        form = {"csrf_token": await csrf(c, "/admin/prompts"), "prompt_id": "greeting"}
        assert (await c.post("/admin/prompts/upload", data=form, files=files)).status_code == 303
        engine = make_engine(settings.database.url)
        try:
            record = (await overrides(engine))["greeting"]
        finally:
            await engine.dispose()
        assert hashlib.sha256(on_host.read_bytes()).hexdigest() == record.sha256
        assert abs(tone_of(on_host) - TONE_HZ) < TONE_HZ * 0.03
        native = settings.prompts.native_formats
        names = ["greeting.alaw", "greeting.ulaw", "greeting.wav"] if native else ["greeting.wav"]
        assert sorted(p.name for p in on_host.parent.glob("greeting.*")) == names
        if native:
            assert_in_step(on_host)
        fmt = "ulaw" if native else "slin"
        await _heard_in_the_next_call(hotline_lab, asterisk, settings.database.url, prompt, fmt)
    finally:
        form = {"csrf_token": await csrf(c, "/admin/prompts"), "prompt_id": "greeting"}
        reverted = await c.post("/admin/prompts/revert", data=form)
        await c.aclose()
    assert reverted.status_code == 303
    assert hashlib.sha256(on_host.read_bytes()).hexdigest() != record.sha256


async def _heard_in_the_next_call(hotline_lab, asterisk, db_url: str, prompt: str, fmt: str) -> None:
    conn = await _ami(hotline_lab)
    try:
        result = await call(caller=CALLER, steps=[Wait(5.0)], timeout=30)
        assert result.ok
        (row,) = await rows_for(db_url, CALLER)
        assert streamed(conn.events, row.uniqueid)[0] == prompt
        channel = channel_of(conn.events, row.uniqueid)
    finally:
        await conn.close()
    played = rf"<{re.escape(channel)}> Playing '{re.escape(prompt)}\.{fmt}'"
    await asterisk.wait_for_log(played, timeout=5)
