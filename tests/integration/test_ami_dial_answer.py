"""The agent's answer instant is the agent leg going Up, not DialEnd (which Asterisk sends only
after the A() announcements): the 4-ring figure must not count the announcement as ringing."""

from __future__ import annotations

from datetime import UTC, datetime

from fake_ami import FakeAmi
from polling import until

from hotline.asterisk.ami import AmiClient
from hotline.settings import Ami

T_UP, T_DIALEND = 1796200000.25, 1796200004.75  # the announcements took 4.5 s


def event(**fields: str) -> str:
    return "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"


async def test_the_answer_is_the_agent_leg_going_up_not_dial_end():
    server = FakeAmi(contacts=[])
    await server.start()
    ami = AmiClient(Ami(host="127.0.0.1", port=server.port, username="hotline", secret="s3cret"))
    ami.start()
    calls: list[str] = []
    try:
        await ami.wait_connected(5)
        ami.on_dial_answer("caller.1", lambda: calls.append("answered"))
        server.send_event(event(Event="DialBegin", Uniqueid="caller.1", DestUniqueid="agent.2"))
        server.send_event(
            event(
                Event="Newstate",
                Uniqueid="agent.2",
                ChannelState="5",
                ChannelStateDesc="Ringing",
                Timestamp="1796199990.0",
            )
        )
        server.send_event(
            event(
                Event="Newstate",
                Uniqueid="agent.2",
                ChannelState="6",
                ChannelStateDesc="Up",
                Timestamp=str(T_UP),
            )
        )
        await until(lambda: calls == ["answered"], 5, "answer seen at Up")
        server.send_event(
            event(
                Event="DialEnd",
                Uniqueid="caller.1",
                DestUniqueid="agent.2",
                DialStatus="ANSWER",
                Timestamp=str(T_DIALEND),
            )
        )
        server.send_event(event(Event="Newstate", Uniqueid="other.9", ChannelState="6", Timestamp="1"))
        # events are handled in order: once this registration is seen, DialEnd was handled too
        server.send_event(
            event(Event="ContactStatus", AOR="9999", EndpointName="9999", ContactStatus="Created")
        )
        await until(lambda: "9999" in ami.registered, 5, "the events after DialEnd handled")
        assert ami.dial_answered_at("caller.1") == datetime.fromtimestamp(T_UP, UTC)
        assert calls == ["answered"]  # once
    finally:
        ami.close()
        await server.stop()


async def test_dial_end_counts_when_no_up_was_seen():
    server = FakeAmi(contacts=[])
    await server.start()
    ami = AmiClient(Ami(host="127.0.0.1", port=server.port, username="hotline", secret="s3cret"))
    ami.start()
    try:
        await ami.wait_connected(5)
        seen: list[str] = []
        ami.on_dial_answer("caller.3", lambda: seen.append("answered"))
        server.send_event(
            event(Event="DialEnd", Uniqueid="caller.3", DialStatus="ANSWER", Timestamp=str(T_DIALEND))
        )
        await until(lambda: seen == ["answered"], 5, "answer seen at DialEnd")
        assert ami.dial_answered_at("caller.3") == datetime.fromtimestamp(T_DIALEND, UTC)
    finally:
        ami.close()
        await server.stop()
