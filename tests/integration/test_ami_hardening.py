"""The AMI adapter's failure paths against a real loopback AMI server: ping timers, login
timeouts, resync failures, back-off after flapping logins, callback errors, in-flight actions."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest
from fake_ami import FakeAmi
from polling import until
from structlog.testing import capture_logs

from hotline.asterisk.ami import AmiClient, AmiError
from hotline.settings import Ami

FAST = dict(reconnect_min_seconds=0.05, login_timeout=0.3, resync_timeout=0.3, ping_interval=0.1)


def client_for(server: FakeAmi, *, secret: str = "s3cret", max_s: float = 0.4, **kw) -> AmiClient:
    return AmiClient(
        Ami(
            host="127.0.0.1", port=server.port, username="hotline", secret=secret, reconnect_max_seconds=max_s
        ),
        **{**FAST, **kw},
    )


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in pairwise(times)]


def logged(logs: list[dict], event: str) -> list[dict]:
    return [e for e in logs if e["event"] == event]


async def test_refused_logins_leave_one_ping_timer_not_one_per_attempt():
    server = FakeAmi(contacts=["1001"], secret="other")
    await server.start()
    ami = client_for(server, max_s=0.05)
    ami.start()
    try:
        await until(lambda: server.failed_logins >= 8, 10, "8 refused logins")
        server.secret = "s3cret"  # the admin fixes manager.conf
        await ami.wait_connected(5)
        live = len(server.connects) - 1
        on_live = lambda: [t for c, t in server.pings if c == live]  # noqa: E731
        await until(lambda: len(on_live()) >= 5, 5, "5 pings on the live connection")
        # one timer: consecutive pings at least one interval apart (0.1 s); a timer left over by
        # each refused login would fire several pings per interval
        assert min(gaps(on_live()[:5])) >= 0.08, on_live()
    finally:
        ami.close()
        await server.stop()


async def test_unanswered_login_times_out_and_reconnects_with_backoff():
    server = FakeAmi(contacts=["1001"])
    server.answer_login = False  # TCP accepted, banner sent, Login never answered
    await server.start()
    errors: list[int] = []
    ami = client_for(server, login_timeout=0.2, max_s=0.2, on_error=lambda: errors.append(1))
    ami.start()
    try:
        with capture_logs() as logs:
            await until(lambda: len(server.connects) >= 3, 5, "reconnected after login timeouts")
        assert not ami.connected.is_set()
        assert logged(logs, "ami.login_timeout") and errors
        assert all(g >= 0.2 for g in gaps(server.connects))  # timeout + back-off, no busy loop
        server.answer_login = True
        await ami.wait_connected(5)
        assert ami.registered == {"1001"}
    finally:
        ami.close()
        await server.stop()


async def test_repeated_headers_in_list_events_and_events_are_tolerated():
    server = FakeAmi(contacts=["1001"])
    server.contact_extra = "Endpoint: 1001\r\nStatus: NonQualified\r\n"  # each header twice
    await server.start()
    ami = client_for(server)
    ami.start()
    try:
        await ami.wait_connected(5)
        assert ami.registered == {"1001"}
        server.send_event(
            "Event: ContactStatus\r\nAOR: 1002\r\nEndpointName: 1002\r\n"
            "EndpointName: 1002\r\nContactStatus: Created\r\n\r\n"
        )
        await until(lambda: ami.registered == {"1001", "1002"}, 5, "1002 registered")
        assert ami.logins == 1 and len(server.connects) == 1
    finally:
        ami.close()
        await server.stop()


async def test_resync_failure_is_logged_as_error_and_retried():
    server = FakeAmi(contacts=["1001"])
    server.ignore = {"filter"}  # the Filter action times out
    await server.start()
    errors: list[int] = []
    ami = client_for(server, resync_timeout=0.2, on_error=lambda: errors.append(1))
    ami.start()
    try:
        with capture_logs() as logs:
            await until(lambda: logged(logs, "ami.resync_failed"), 5, "resync failure logged")
            assert logged(logs, "ami.resync_failed")[0]["log_level"] == "error" and errors
            server.ignore.clear()
            await ami.wait_connected(5)
        assert ami.logins >= 2 and ami.registered == {"1001"}
    finally:
        ami.close()
        await server.stop()


async def test_login_then_immediate_drop_keeps_backing_off_until_a_stable_session():
    server = FakeAmi(contacts=["1001"])
    server.drop_after_login = True
    await server.start()
    ami = client_for(server, max_s=1.0, stable_seconds=0.3)
    ami.start()
    try:
        await until(lambda: len(server.connects) >= 5, 10, "5 connection attempts")
        g = gaps(server.connects)
        assert g[3] > 2 * g[0], g  # the delay grows although every login succeeded
        server.drop_after_login = False
        with capture_logs() as logs:
            await ami.wait_connected(5)
            await until(lambda: logged(logs, "ami.stable"), 5, "session stable")
        dropped_at = asyncio.get_running_loop().time()
        before = len(server.connects)
        server.drop_clients()
        await until(lambda: len(server.connects) > before, 5, "reconnected")
        assert server.connects[-1] - dropped_at < 0.3  # back at the shortest delay
    finally:
        ami.close()
        await server.stop()


async def test_callback_errors_are_contained_logged_and_counted():
    server = FakeAmi(contacts=[])
    await server.start()
    errors: list[int] = []
    ami = client_for(server, on_error=lambda: errors.append(1))

    def acd(ext: str, up: bool) -> None:
        if ext == "1002":
            raise RuntimeError("ACD bug")

    ami.on_registration = acd
    ami.on_dial_answer("1700000000.7", lambda: 1 / 0)
    ami.start()
    try:
        await ami.wait_connected(5)
        with capture_logs() as logs:
            server.send_event(
                "Event: ContactStatus\r\nAOR: 1002\r\nEndpointName: 1002\r\nContactStatus: Created\r\n\r\n"
            )
            server.send_event("Event: DialEnd\r\nUniqueid: 1700000000.7\r\nDialStatus: ANSWER\r\n\r\n")
            server.send_event(
                "Event: ContactStatus\r\nAOR: 1003\r\nEndpointName: 1003\r\nContactStatus: Created\r\n\r\n"
            )
            await until(lambda: "1003" in ami.registered, 5, "later event handled")
        failed = logged(logs, "ami.callback_failed")
        assert [e["ami_event"] for e in failed] == ["ContactStatus", "DialEnd"]
        assert len(errors) == 2
        assert ami.logins == 1 and len(server.connects) == 1 and ami.connected.is_set()
    finally:
        ami.close()
        await server.stop()


async def test_action_in_flight_fails_on_connection_loss_and_is_not_resent():
    server = FakeAmi(contacts=["1001"])
    server.ignore = {"originate"}
    await server.start()
    ami = client_for(server)
    ami.start()
    try:
        await ami.wait_connected(5)
        pending = asyncio.ensure_future(
            ami.action({"Action": "Originate", "Channel": "Local/1@x"}, timeout=10)
        )
        await until(lambda: "originate" in server.actions, 5, "originate sent")
        server.drop_clients()
        with pytest.raises(AmiError, match="connection"):
            await asyncio.wait_for(pending, 2)
        await until(lambda: ami.logins == 2 and ami.connected.is_set(), 5, "reconnected")
        assert server.actions.count("originate") == 1  # never placed a second time
    finally:
        ami.close()
        await server.stop()
