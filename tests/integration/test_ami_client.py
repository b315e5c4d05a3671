"""The AMI adapter against a real loopback AMI server: login, resync, reconnect with back-off."""

import asyncio
from itertools import pairwise

from fake_ami import FakeAmi
from polling import until

from hotline.asterisk.ami import AmiClient
from hotline.settings import Ami

QUIET_WINDOW_S = 1.0


def client_for(server: FakeAmi, secret: str = "s3cret") -> AmiClient:
    return AmiClient(
        Ami(host="127.0.0.1", port=server.port, username="hotline", secret=secret, reconnect_max_seconds=0.4)
    )


async def test_login_resyncs_registrations_and_follows_contact_events():
    server = FakeAmi(contacts=["1001"])
    await server.start()
    ami = client_for(server)
    ami.start()
    try:
        await ami.wait_connected(5)
        assert ami.registered == {"1001"}
        server.send_event(
            "Event: ContactStatus\r\nAOR: 1002\r\nEndpointName: 1002\r\nContactStatus: Created\r\n\r\n"
        )
        await until(lambda: ami.registered == {"1001", "1002"}, 5, "1002 registered")
        server.send_event(
            "Event: ContactStatus\r\nAOR: 1001\r\nEndpointName: 1001\r\nContactStatus: Removed\r\n\r\n"
        )
        await until(lambda: ami.registered == {"1002"}, 5, "1001 gone")
    finally:
        ami.close()
        await server.stop()


async def test_reconnect_with_backoff_and_fresh_state_after_each_login():
    server = FakeAmi(contacts=["1001", "1002"])
    await server.start()
    ami = client_for(server)
    ami.start()
    try:
        await ami.wait_connected(5)
        assert ami.registered == {"1001", "1002"} and ami.logins == 1
        # Asterisk restarts: the old connection drops, the server is away for a while
        port = server.port
        await server.stop()
        await until(lambda: not ami.connected.is_set(), 5, "disconnect noticed")
        await asyncio.sleep(0)  # let the first reconnect attempt fail against the closed port
        server = FakeAmi(contacts=["1003"])  # state changed while we were away
        await server.start(port)
        await until(lambda: ami.connected.is_set(), 10, "reconnected")
        assert ami.logins == 2 and ami.registered == {"1003"}  # nothing stale survives a resync
    finally:
        ami.close()
        await server.stop()


async def test_wrong_secret_is_retried_not_fatal_and_close_stops_retrying():
    server = FakeAmi(contacts=[])
    await server.start()
    ami = client_for(server, secret="wrong")
    ami.start()
    try:
        await until(lambda: server.failed_logins >= 2, 10, "login retried")
        assert not ami.connected.is_set()
        gaps = [b - a for a, b in pairwise(server.connects)]
        assert all(g > 0.2 for g in gaps)  # back-off between attempts, no busy loop
    finally:
        ami.close()
    attempts = len(server.connects)
    # a closed client must stay quiet: watch for longer than its longest back-off (0.4 s)
    await asyncio.sleep(QUIET_WINDOW_S)
    assert len(server.connects) == attempts
    await server.stop()


async def test_registration_changes_reach_the_acd_callback():
    server = FakeAmi(contacts=["1001"])
    await server.start()
    ami = client_for(server)
    seen: list[tuple[str, bool]] = []
    ami.on_registration = lambda ext, up: seen.append((ext, up))
    ami.start()
    try:
        await ami.wait_connected(5)
        assert seen == [("1001", True)]  # from the resync after login
        server.send_event(
            "Event: ContactStatus\r\nAOR: 1001\r\nEndpointName: 1001\r\nContactStatus: Removed\r\n\r\n"
        )
        await until(lambda: seen[-1] == ("1001", False), 5, "unregistration reported")
    finally:
        ami.close()
        await server.stop()
