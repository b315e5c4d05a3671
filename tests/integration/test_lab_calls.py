"""Lab calls against the smoke config: sipp caller (DTMF, busy, hang-ups) and agent phones."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable

import pytest

from lab.ami import Message, RawAmi
from lab.asterisk import LabAsterisk
from lab.sipp import AgentPhone, Dtmf, HangUp, Wait, call, start_call
from lab.smoke_config import AGENTS, AMI

pytestmark = pytest.mark.e2e


@pytest.fixture
async def ami(smoke_asterisk: LabAsterisk) -> AsyncIterator[RawAmi]:
    connection = await RawAmi.connect(AMI)
    try:
        yield connection
    finally:
        await connection.close()


def from_caller(number: str, event: str) -> Callable[[Message], bool]:
    return lambda e: e.get("Event") == event and e.get("CallerIDNum") == number


async def digits_received(ami: RawAmi, caller: str, count: int) -> tuple[str, str]:
    """(digits, channel) from the DTMFEnd events of the caller's channel."""
    events = await ami.collect(
        lambda e: from_caller(caller, "DTMFEnd")(e) and e.get("Direction") == "Received", count, timeout=10
    )
    return "".join(e["Digit"] for e in events), events[0]["Channel"]


async def test_call_with_dtmf_steps_reaches_asterisk(smoke_asterisk: LabAsterisk, ami: RawAmi) -> None:
    result = await call(
        "95598",
        caller="13800000001",
        caller_name="Lab Caller",
        steps=[Wait(0.5), Dtmf("12"), Wait(0.2), Dtmf("3#", tone_ms=100), Wait(0.5)],
    )
    assert result.ok, result
    assert result.answered and not result.remote_hangup and not result.busy
    assert result.call_id
    digits, channel = await digits_received(ami, "13800000001", 4)
    assert digits == "123#"
    newchannel = await ami.wait_event(from_caller("13800000001", "Newchannel"))
    assert newchannel["CallerIDName"] == "Lab Caller"
    logged = await smoke_asterisk.wait_for_log(rf"DTMF end '(.)' received on {re.escape(channel)},", 4)
    assert "".join(m.group(1) for m in logged) == "123#"


async def test_busy_extension_gives_busy(smoke_asterisk: LabAsterisk) -> None:
    result = await call("95599", caller="13800000002")
    assert result.busy and result.status == 486
    assert not result.answered and not result.ok
    assert result.returncode == 0


async def test_asterisk_hanging_up_first_is_remote_hangup(smoke_asterisk: LabAsterisk) -> None:
    result = await call("95595", caller="13800000003", steps=[Wait(10), HangUp()])
    assert result.ok and result.remote_hangup, result
    assert result.duration < 5


async def test_nine_concurrent_dtmf_calls(smoke_asterisk: LabAsterisk, ami: RawAmi) -> None:
    callers = {f"1390000000{i}": f"{i}{9 - i}#" for i in range(1, 10)}
    handles = [
        await start_call("95598", caller=number, steps=[Wait(0.3), Dtmf(digits), Wait(0.3)])
        for number, digits in callers.items()
    ]
    results = await asyncio.gather(*(handle.wait() for handle in handles))
    assert all(r.ok for r in results), results
    assert len({h.ports.sip for h in handles}) == 9
    for number, digits in callers.items():
        assert (await digits_received(ami, number, 3))[0] == digits


async def test_agent_in_answer_mode_registers_and_is_bridged(
    smoke_asterisk: LabAsterisk, ami: RawAmi
) -> None:
    async with AgentPhone("1001", AGENTS["1001"], mode="answer", answer_after=0.5) as phone:
        contacts = smoke_asterisk.cli("pjsip show contacts")
        assert f"1001/sip:1001@127.0.0.1:{phone.port}" in contacts
        result = await call("95601", caller="13800000004", steps=[Wait(3)])
        assert result.ok and not result.remote_hangup, result
        dial_end = await ami.wait_event(from_caller("13800000004", "DialEnd"))
        assert dial_end["DialStatus"] == "ANSWER"
        assert dial_end["DestChannel"].startswith("PJSIP/1001-")
        second = await call("95601", caller="13800000005", steps=[Wait(2)])
        assert second.ok, second
        assert phone.calls_received == 2 and phone.count("answered") == 2
        await phone.re_register()
    assert "1001/sip:1001" not in smoke_asterisk.cli("pjsip show contacts")


async def test_agent_that_hangs_up_itself(smoke_asterisk: LabAsterisk, ami: RawAmi) -> None:
    async with AgentPhone("1001", AGENTS["1001"], answer_after=0.2, talk_seconds=1.0) as phone:
        result = await call("95601", caller="13800000006", steps=[Wait(20)])
        assert result.ok and result.remote_hangup, result
        assert result.duration < 8
        assert phone.count("local_hangup") == 1


async def test_busy_agent_gives_dialstatus_busy(smoke_asterisk: LabAsterisk, ami: RawAmi) -> None:
    async with AgentPhone("1002", AGENTS["1002"], mode="busy") as phone:
        result = await call("95602", caller="13800000007", steps=[Wait(10)])
        assert result.ok and result.remote_hangup, result
        dial_end = await ami.wait_event(from_caller("13800000007", "DialEnd"))
        assert dial_end["DialStatus"] == "BUSY"
        assert phone.count("busy") == 1
    await smoke_asterisk.wait_for_log(rf"NoOp\(\"{re.escape(dial_end['Channel'])}\", \"DIALSTATUS=BUSY\"\)")


async def test_ringing_agent_gives_noanswer_and_handles_cancel(
    smoke_asterisk: LabAsterisk, ami: RawAmi
) -> None:
    async with AgentPhone("1003", AGENTS["1003"], mode="ring") as phone:
        result = await call("95603", caller="13800000008", steps=[Wait(15)])
        assert result.ok and result.remote_hangup, result
        dial_end = await ami.wait_event(from_caller("13800000008", "DialEnd"))
        assert dial_end["DialStatus"] == "NOANSWER"
        assert phone.count("cancelled") == 1
