"""e2e fixtures: the lab Asterisk running the hotline's rendered config, and the daemon process."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from daemon_proc import DaemonProc
from e2e_setup import RECORDINGS_DIR, write_config

from hotline.settings import load_settings
from lab.hotline_stack import LAB_BLOCKLIST, hotline_up


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def hotline_lab(lab_session, e2e_dir):
    """The lab Asterisk with the hotline's config (ports 5060 SIP, 5038 AMI, FastAGI 4573)."""
    ledger = lab_session.asterisk.host_path("/var/log/asterisk/cdr-custom/hotline-cdr")
    ledger.unlink(missing_ok=True)  # the chroot persists across runs: only this session's calls
    blocklist = lab_session.asterisk.host_path(LAB_BLOCKLIST)
    blocklist.unlink(missing_ok=True)  # no block left over from an earlier session
    db = f"sqlite+aiosqlite:///{e2e_dir / 'hotline.db'}"
    prompts = lab_session.asterisk.host_path("/var/lib/hotline/prompts")  # asterisk.prompts_dir
    recordings = lab_session.asterisk.host_path(RECORDINGS_DIR)
    cfg = write_config(e2e_dir / "hotline.yaml", db, ledger, blocklist, prompts, recordings)
    settings = load_settings(cfg)
    asterisk = asyncio.run(hotline_up(settings, e2e_dir / "lab", session=lab_session))
    return asterisk, cfg


@pytest.fixture(scope="session")
def daemon(hotline_lab, e2e_dir):
    """One daemon for the e2e session (tests tell their calls apart by caller number)."""
    _, cfg = hotline_lab
    d = DaemonProc(cfg, e2e_dir / "daemon.log")
    d.start()
    yield d
    d.stop()
