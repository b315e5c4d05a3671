"""The lab's Asterisk plumbing: chroot reuse, config install, start/AMI/CLI, stop."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lab import procs
from lab.ami import AmiCredentials, RawAmi
from lab.asterisk import LabAsterisk
from lab.chroot import asterisk_version, ensure_chroot
from lab.errors import LabError
from lab.session import LabSession
from lab.smoke_config import AMI

pytestmark = pytest.mark.e2e


def test_ensure_chroot_reuses_a_provisioned_chroot(lab_session: LabSession) -> None:
    started = time.monotonic()
    root = ensure_chroot()
    assert time.monotonic() - started < 0.5
    assert root == lab_session.asterisk.root
    assert asterisk_version(root).startswith("Asterisk 22.")


def test_modules_dir_is_found_inside_the_chroot(lab_session: LabSession) -> None:
    moddir = lab_session.asterisk.modules_dir()
    assert moddir.startswith("/usr/lib/") and moddir.endswith("/asterisk/modules")
    assert (lab_session.asterisk.host_path(moddir) / "chan_pjsip.so").exists()


def test_host_path_rejects_relative_and_parent_paths(lab_session: LabSession) -> None:
    with pytest.raises(LabError, match="not an absolute path inside the chroot: 'etc/asterisk'"):
        lab_session.asterisk.host_path("etc/asterisk")
    with pytest.raises(LabError, match="not an absolute path inside the chroot: '/etc/../../outside'"):
        lab_session.asterisk.host_path("/etc/../../outside")


def test_install_config_rejects_a_template_directories_section(
    lab_session: LabSession, tmp_path: Path
) -> None:
    (tmp_path / "asterisk.conf").write_text("[directories](!)\nastetcdir => /etc/asterisk\n")
    with pytest.raises(LabError, match="template"):
        lab_session.asterisk.install_config(tmp_path)


async def test_started_asterisk_answers_ami_and_cli(smoke_asterisk: LabAsterisk) -> None:
    ami = await RawAmi.connect(AMI)
    try:
        status = await ami.action("CoreStatus")
        assert status["Response"] == "Success"
    finally:
        await ami.close()
    assert "System uptime" in smoke_asterisk.cli("core show uptime")
    assert "trunk" in smoke_asterisk.cli("pjsip show endpoints")


async def test_smoke_config_replaced_every_debian_sample(
    smoke_asterisk: LabAsterisk, smoke_config_dir: Path
) -> None:
    etc = smoke_asterisk.host_path("/etc/asterisk")
    installed = {p.name for p in etc.glob("*.conf")}
    assert installed == {p.name for p in smoke_config_dir.glob("*.conf")}
    log = smoke_asterisk.full_log_path().read_text()
    assert "ERROR" not in log, log


async def test_start_again_reuses_the_running_asterisk(smoke_asterisk: LabAsterisk) -> None:
    pid = smoke_asterisk.pid()
    started = time.monotonic()
    assert smoke_asterisk.start() == pid
    assert LabAsterisk(smoke_asterisk.root, smoke_asterisk.run_dir).start() == pid
    assert time.monotonic() - started < 0.5
    await smoke_asterisk.wait_ready(AMI.host, AMI.port, AMI.username, AMI.secret, timeout=5)


async def test_wait_ready_rejects_a_wrong_secret_at_once(smoke_asterisk: LabAsterisk) -> None:
    started = time.monotonic()
    with pytest.raises(LabError, match="Authentication"):
        await smoke_asterisk.wait_ready(AMI.host, AMI.port, AMI.username, "wrong", timeout=10)
    assert time.monotonic() - started < 5


def test_manager_conf_credentials_are_read_back(smoke_config_dir: Path) -> None:
    assert AmiCredentials.from_manager_conf(smoke_config_dir / "manager.conf") == AMI


async def test_stop_leaves_no_asterisk_process(smoke_asterisk: LabAsterisk) -> None:
    pid = smoke_asterisk.pid()
    assert pid is not None
    smoke_asterisk.stop()
    assert smoke_asterisk.pid() is None
    assert not procs.alive(pid)
    assert procs.chrooted(smoke_asterisk.root, "asterisk") == []
    assert not smoke_asterisk.pid_file.exists()
    with pytest.raises(LabError, match="Unable to connect"):
        smoke_asterisk.cli("core show uptime")
