"""No toll fraud on the real Asterisk (issue 17): what an agent may dial out, and strangers on the
SIP port.

- Agent 1008 dials with its digest credentials (lab.sipp `call(auth=...)`, as a softphone does):
  9 + an international or a premium / voice-information number never gets a channel on the
  outbound trunk (AMI Newchannel `PJSIP/outbound-trunk-*`, as test_outbound_calls counts them)
  and the daemon logs the refusal; 9 + a domestic mobile goes out to the carrier (lab/carrier.py:
  ...1K answers).
- A stranger is a sipp caller bound to 127.0.0.7: another loopback address, so the SIP ACL lets
  it talk (the lab's sip.agents_network is the default, loopback included) but it is neither the
  trunk gateway (127.0.0.1) nor an agent with credentials. Its INVITEs to 95598 and to 9 + number,
  with any From user (a customer's number, "trunk", an agent's extension), are refused (401: the
  challenge it cannot answer) and create no channel and no call row.
"""

from __future__ import annotations

import pytest
from polling import until
from test_acd_calls import ami
from test_outbound_calls import CARRIER_PORT, TRUNK_CHANNEL

from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_calls
from lab.caller_steps import Wait
from lab.carrier import Carrier
from lab.errors import LabTimeout
from lab.sipp import call

pytestmark = pytest.mark.e2e
AGENT = ("1008", "pw1008-e2e")
STRANGER_IP = "127.0.0.7"
REFUSED = ["00441234567890", "0012125550123", "16888123", "12590123456"]  # UK, USA, 168 / 1259x info
DOMESTIC = "13800005111"  # the carrier answers it


def trunk_channels(events: list[dict]) -> list[str]:
    return [
        e["Channel"]
        for e in events
        if e.get("Event") == "Newchannel" and e.get("Channel", "").startswith(TRUNK_CHANNEL)
    ]


def refusal_logged(daemon, offset: int, number: str) -> bool:
    return any(
        e.get("event") == "dial.refused"
        and e.get("number") == number
        and (e.get("source"), e.get("by"), e.get("level")) == ("agent", AGENT[0], "warning")
        for e in daemon.events(offset)
    )


async def calls_from(hotline_lab, caller: str) -> list:
    engine = make_engine(load_settings(hotline_lab[1]).database.url)
    try:
        return [r for r in await fetch_calls(engine) if r.caller_number == caller]
    finally:
        await engine.dispose()


async def test_an_agent_dials_a_domestic_mobile_but_no_international_or_premium_number(hotline_lab, daemon):
    offset = daemon.started_at_offset
    conn = await ami(hotline_lab)
    try:
        async with Carrier(port=CARRIER_PORT, key_after=20.0) as carrier:
            for number in REFUSED:
                before = len(conn.events)
                r = await call("9" + number, caller=AGENT[0], auth=AGENT, steps=[Wait(1.0)], timeout=20)
                assert not r.answered and r.status is not None, (number, r)  # Congestion: refused
                await until(
                    lambda n=number: refusal_logged(daemon, offset, n), 10, f"refusal of {number} logged"
                )
                assert trunk_channels(conn.events[before:]) == [], number
            assert not any(n in detail for _, _, detail in carrier.events for n in REFUSED)

            before = len(conn.events)
            r = await call("9" + DOMESTIC, caller=AGENT[0], auth=AGENT, steps=[Wait(4.0)], timeout=30)
            assert r.ok and r.answered, r
            answered = await carrier.wait_for("answered", 1, timeout=10)
            assert answered[0][2] == DOMESTIC
            assert len(trunk_channels(conn.events[before:])) == 1
    finally:
        await conn.close()

    async def outbound_rows() -> list[tuple[str, str | None]]:
        rows = await calls_from(hotline_lab, AGENT[0])
        return [
            (r.dnid, r.outcome) for r in rows if r.direction == "outbound" and r.dnid in (*REFUSED, DOMESTIC)
        ]

    async def finished() -> bool:
        rows = await outbound_rows()
        return bool(rows) and all(outcome for _, outcome in rows)

    await until(finished, 15, "the domestic call's row, with its outcome")
    assert await outbound_rows() == [(DOMESTIC, "answered")]  # and none for the refused numbers


@pytest.mark.parametrize(
    "number, caller",
    [
        ("95598", "13800007001"),  # a stranger calling the hotline as if from the trunk
        ("95598", "trunk"),  # ... naming itself after the trunk endpoint
        ("913800005111", "13800007002"),  # a stranger trying to dial out
        ("913800005111", "1008"),  # ... as an agent, without the agent's password
    ],
)
async def test_a_stranger_on_the_sip_port_reaches_no_context(hotline_lab, daemon, number, caller):
    conn = await ami(hotline_lab)
    try:
        earlier = {id(e) for e in conn.events}
        r = await call(number, caller=caller, local_ip=STRANGER_IP, steps=[Wait(1.0)], timeout=15)
        assert not r.answered and r.status in (401, 403), r

        def from_stranger(e: dict) -> bool:
            return (
                id(e) not in earlier
                and e.get("Event") == "Newchannel"
                and (e.get("CallerIDNum") == caller or e.get("Context") in ("from-trunk", "agents"))
            )

        with pytest.raises(LabTimeout):  # no channel at all, not even a late one
            await conn.wait_event(from_stranger, timeout=2)
    finally:
        await conn.close()
    if caller != AGENT[0]:  # the agent's own earlier calls are rows of its number
        assert await calls_from(hotline_lab, caller) == []
