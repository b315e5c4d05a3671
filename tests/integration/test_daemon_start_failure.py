"""A daemon that cannot start (its FastAGI port taken) fails at once with its own error, and what
it recorded before failing (the agents logged in as their softphones count as registered) is in
the store, not dropped with the writer."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from daemon_settings import daemon_settings
from in_process import READY_S, daemon_in_process

from hotline.store.queries import fetch_events


@contextmanager
def taken_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


async def start_on_taken_port(db_url: str, tmp_path) -> list[OSError]:
    """The daemon's errors when its FastAGI port is taken (the daemon's task group raises a group)."""
    errors: list[OSError] = []
    with taken_port() as port:
        settings = daemon_settings(db_url, tmp_path, fastagi={"host": "127.0.0.1", "port": port})
        try:
            async with daemon_in_process(settings):
                pytest.fail("the daemon started on a port another socket holds")
        except* OSError as group:
            errors += [e for e in group.exceptions if isinstance(e, OSError)]
    return errors


async def test_a_daemon_that_cannot_start_raises_its_own_error_at_once(db_url, tmp_path):
    began = time.monotonic()
    errors = await start_on_taken_port(db_url, tmp_path)
    assert len(errors) == 1 and "cannot listen for FastAGI on 127.0.0.1:" in str(errors[0])
    assert time.monotonic() - began < READY_S / 2  # not the ready wait running out


async def test_what_a_failed_start_recorded_is_written(db_url, engine, tmp_path):
    await start_on_taken_port(db_url, tmp_path)
    kinds = [e.kind for e in await fetch_events(engine, "agent-001")]
    assert "agent_state" in kinds  # agent 001 logged in at start (no AMI: its softphone counts)
