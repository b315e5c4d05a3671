"""The 4-ring figure through the real Asterisk: ringing ends when the agent picks up, not after
the "座席…为您服务" announcement and the whisper that Asterisk plays before it bridges."""

from __future__ import annotations

import json
import math
import struct
import wave
from pathlib import Path

import pytest
from e2e_setup import rows_for
from polling import until
from test_acd_calls import registered

from hotline.settings import load_settings
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e


async def test_the_ring_time_ends_when_the_agent_answers(hotline_lab, daemon):
    caller = "13900008201"
    async with AgentPhone("1005", "pw1005-e2e", answer_after=4.0, talk_seconds=3.0) as phone:
        result = await call(caller=caller, steps=[Wait(7.5), Dtmf("0"), Wait(25.0)], timeout=45)
        assert result.ok and phone.calls_received == 1
    (row,) = await rows_for(load_settings(hotline_lab[1]).database.url, caller)
    assert row.outcome == "agent_answered" and row.agent_id == "005"
    # the phone answers 4 s after the INVITE; the announcements after it are not ringing
    assert 3.5 <= row.ring_time_s <= 5.0, row.ring_time_s
    assert row.talk_started_at is not None and 2.0 <= row.talk_s <= 8.0, row.talk_s
    print(f"\nagent answered after 4 s: ring time recorded {row.ring_time_s:.2f} s, talk {row.talk_s:.2f} s")


async def test_an_answer_at_11_s_with_a_6_s_announcement_is_inside_the_4_rings(hotline_lab, daemon):
    """The 工号 announcement ("座席…为您服务") lasts 6 s: the agent who answers at 11 s answered
    inside the 12 s target, and is not paused "no answer" by anything counting past the answer."""
    asterisk, cfg = hotline_lab
    settings = load_settings(cfg)
    intro = asterisk.host_path(f"{settings.asterisk.prompts_dir}/agent_intro_009.wav")
    original = intro.read_bytes()
    _write_tone(intro, seconds=6.0)
    caller = "13900008202"
    try:
        async with AgentPhone("1009", "pw1009-e2e", answer_after=11.0, talk_seconds=3.0) as phone:
            await registered(daemon, "1009")
            result = await call(caller=caller, steps=[Wait(7.5), Dtmf("0"), Wait(40.0)], timeout=70)
            assert result.ok and phone.calls_received == 1
    finally:
        intro.write_bytes(original)
    (row,) = await rows_for(settings.database.url, caller)
    assert row.outcome == "agent_answered" and row.agent_id == "009"
    assert 10.5 <= row.ring_time_s <= 11.5 and row.ring_time_s <= settings.answer_target.seconds, (
        row.ring_time_s
    )
    state_file = Path(settings.acd.state_file)

    def agent_009() -> dict:
        return json.loads(state_file.read_text(encoding="utf-8"))["agents"]["009"]

    await until(lambda: agent_009()["state"] == "ready", 15, "agent 009 back to ready after wrap-up")
    print(f"\nanswered at 11 s behind a 6 s announcement: ring time recorded {row.ring_time_s:.2f} s")


def _write_tone(path: Path, seconds: float) -> None:
    """A quiet 440 Hz tone, 8 kHz 16-bit mono like the rendered prompts."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(2000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(rate * seconds))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
