"""The notify protocol's client side: datagrams to $NOTIFY_SOCKET, nothing without it."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from hotline.daemon.sd_notify import SdNotify


@pytest.fixture
def listener(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(2)
    yield path, sock
    sock.close()


def test_ready_watchdog_and_stopping_reach_the_socket(listener):
    path, sock = listener
    notify = SdNotify({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})
    assert notify.supervised and notify.watchdog_s == 4.0
    notify.ready()
    notify.watchdog()
    notify.stopping()
    got = [sock.recv(4096).decode().split("\n") for _ in range(3)]
    assert got[0][0] == "READY=1" and got[1] == ["WATCHDOG=1"] and got[2][0] == "STOPPING=1"


def test_an_abstract_socket_name_starts_with_at():
    name = f"hotline-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        SdNotify({"NOTIFY_SOCKET": "@" + name}).watchdog()
        assert sock.recv(64) == b"WATCHDOG=1"


def test_not_supervised_means_nothing_is_sent():
    notify = SdNotify({})
    assert not notify.supervised and notify.watchdog_s is None
    notify.ready()  # no socket, no error


def test_a_watchdog_meant_for_another_process_is_ignored():
    assert SdNotify({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getpid() + 1)}).watchdog_s is None
    assert SdNotify({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(os.getpid())}).watchdog_s == 1.0
    assert SdNotify({"WATCHDOG_USEC": "soon"}).watchdog_s is None


def test_a_supervisor_gone_away_is_logged_not_raised(tmp_path):
    SdNotify({"NOTIFY_SOCKET": str(tmp_path / "nobody")}).ready()
