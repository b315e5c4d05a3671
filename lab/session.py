"""Bring the lab Asterisk up with a given config, and share one Asterisk across a test session.

`bring_up()` always (re)starts Asterisk with the given config. `LabSession.use()` restarts only
when the running Asterisk was started with a different config (a digest of the config and
files is kept next to the pid file), so tests with the same config share one Asterisk and
tests with different configs take turns on the same ports (5060/5038).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lab.ami import AmiCredentials
from lab.asterisk import ETC, LabAsterisk
from lab.errors import LabError


def config_digest(rendered_dir: Path | str, files: dict[str, Path] | None = None) -> str:
    """A hash over every file of the config dir and of the extra files to install."""
    digest = hashlib.sha256()
    trees = [("etc", Path(rendered_dir))] + sorted((dest, Path(src)) for dest, src in (files or {}).items())
    for label, base in trees:
        digest.update(f"\0tree {label}\0".encode())
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in paths:
            digest.update(f"\0{path.relative_to(base) if path != base else base.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def installed_credentials(asterisk: LabAsterisk) -> AmiCredentials:
    """AMI address and user from the manager.conf installed in the chroot."""
    manager = asterisk.host_path(ETC + "/manager.conf")
    if not manager.exists():
        raise LabError(f"no manager.conf installed in {asterisk.root}{ETC}: install a config first")
    return AmiCredentials.from_manager_conf(manager)


async def start_and_wait(asterisk: LabAsterisk, timeout: float = 30) -> AmiCredentials:
    """Start the installed config (or reuse the running Asterisk) and wait for AMI."""
    creds = installed_credentials(asterisk)
    asterisk.start()
    await asterisk.wait_ready(creds.host, creds.port, creds.username, creds.secret, timeout=timeout)
    return creds


async def bring_up(
    rendered_dir: Path | str,
    files: dict[str, Path] | None = None,
    *,
    asterisk: LabAsterisk | None = None,
    timeout: float = 30,
) -> LabAsterisk:
    """Stop the lab Asterisk if running, install `rendered_dir` and `files`, start, wait for AMI.

    `files` maps a destination inside the chroot to a host file or directory, e.g.
    {"/var/lib/hotline/prompts": Path("build/prompts")}; directories replace the destination.
    """
    lab = asterisk or LabAsterisk()
    lab.stop()
    lab.install_config(rendered_dir)
    for dest, src in (files or {}).items():
        lab.install_files(src, dest)
    await start_and_wait(lab, timeout)
    lab.digest_file.write_text(config_digest(rendered_dir, files) + "\n")
    return lab


class LabSession:
    """One Asterisk shared by many tests; reconfigured only when the config changes."""

    def __init__(self, asterisk: LabAsterisk | None = None) -> None:
        self.asterisk = asterisk or LabAsterisk()

    async def use(
        self, rendered_dir: Path | str, files: dict[str, Path] | None = None, timeout: float = 30
    ) -> LabAsterisk:
        """The lab Asterisk running `rendered_dir` (+ `files`), restarted only if needed."""
        digest = config_digest(rendered_dir, files)
        if self.asterisk.is_running() and _read_digest(self.asterisk) == digest:
            return self.asterisk
        return await bring_up(rendered_dir, files, asterisk=self.asterisk, timeout=timeout)

    def close(self) -> None:
        """Stop Asterisk (by pid file)."""
        self.asterisk.stop()


def _read_digest(asterisk: LabAsterisk) -> str | None:
    try:
        return asterisk.digest_file.read_text().strip()
    except FileNotFoundError:
        return None
