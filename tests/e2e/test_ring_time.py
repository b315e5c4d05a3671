"""The 4-ring figure through the real Asterisk: ringing ends when the agent picks up, not after
the "座席…为您服务" announcement and the whisper that Asterisk plays before it bridges."""

from __future__ import annotations

import pytest
from conftest import rows_for

from hotline.settings import load_settings
from lab.agent_phone import AgentPhone
from lab.caller_steps import Dtmf, Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e


async def test_the_ring_time_ends_when_the_agent_answers(hotline_lab, daemon):
    caller = "13900008001"
    async with AgentPhone("1005", "pw1005-e2e", answer_after=4.0, talk_seconds=3.0) as phone:
        result = await call(caller=caller, steps=[Wait(7.5), Dtmf("0"), Wait(25.0)], timeout=45)
        assert result.ok and phone.calls_received == 1
    (row,) = await rows_for(load_settings(hotline_lab[1]).database.url, caller)
    assert row.outcome == "agent_answered" and row.agent_id == "005"
    # the phone answers 4 s after the INVITE; the announcements after it are not ringing
    assert 3.5 <= row.ring_time_s <= 5.0, row.ring_time_s
    assert row.talk_started_at is not None and 2.0 <= row.talk_s <= 8.0, row.talk_s
    print(f"\nagent answered after 4 s: ring time recorded {row.ring_time_s:.2f} s, talk {row.talk_s:.2f} s")
