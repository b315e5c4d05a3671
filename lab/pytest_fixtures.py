"""pytest fixtures for tests that need the lab Asterisk (they share ports 5060/5038).

Register once for the whole run (root conftest.py):   pytest_plugins = ["lab.pytest_fixtures"]
or import into a test module:   from lab.pytest_fixtures import lab_session, smoke_asterisk  # noqa: F401

    async def test_x(lab_session):
        asterisk = await lab_session.use(rendered_dir, {"/var/lib/hotline/prompts": prompts})

`lab_session` is session-scoped: one Asterisk for the whole run, restarted only when a test
asks for a different config, and stopped at the end of the session even after failures.
It holds the lab lock (lab.lab_lock) for the whole session: a second test run on the same machine
fails its lab tests at once, naming the session that has the lab, instead of breaking both.
Tests are skipped (not failed) when not running as root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.asterisk import LabAsterisk
from lab.chroot import ensure_chroot
from lab.lab_lock import LabBusy, session_note, take_lab
from lab.session import LabSession
from lab.smoke_config import write_smoke_config


@pytest.fixture(scope="session")
def lab_session() -> Iterator[LabSession]:
    """The shared lab Asterisk (chroot built on first use, Asterisk stopped at session end)."""
    if os.geteuid() != 0:
        pytest.skip("the Asterisk lab needs root (chroot, sipp raw sockets)")
    try:
        lock = take_lab(session_note())
    except LabBusy as exc:
        pytest.fail(str(exc), pytrace=False)
    with lock:  # before the chroot: building it is one per machine too
        session = LabSession(LabAsterisk(ensure_chroot()))
        try:
            yield session
        finally:
            session.close()


@pytest.fixture(scope="session")
def smoke_config_dir(lab_session: LabSession, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lab's own smoke config (lab.smoke_config), written once per session."""
    return write_smoke_config(tmp_path_factory.mktemp("smoke-conf"), lab_session.asterisk.modules_dir())


@pytest.fixture
async def smoke_asterisk(lab_session: LabSession, smoke_config_dir: Path) -> LabAsterisk:
    """The lab Asterisk running the smoke config."""
    return await lab_session.use(smoke_config_dir)
