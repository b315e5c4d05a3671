"""Run Asterisk inside the lab chroot: install config, start, wait for AMI, CLI, stop.

Config and prompt files are copied into the chroot (no bind mounts). Asterisk runs as
`chroot <root> /usr/sbin/asterisk -f -n -C /etc/asterisk/asterisk.conf` (foreground, no console:
`-c` without a terminal spins printing its prompt), in its own session, with a pid file in the
run directory; it is stopped by that pid only.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from lab import procs
from lab.ami import AmiCredentials, AmiError, wait_fully_booted
from lab.errors import LabError, LabTimeout
from lab.locations import chroot_dir, run_dir, tail

ETC = "/etc/asterisk"
CONF = ETC + "/asterisk.conf"
BINARY = "/usr/sbin/asterisk"
FULL_LOG = "/var/log/asterisk/full"
# PJSIP keeps registered contacts in astdb across restarts: a run that was killed would leave its
# agents "registered" for the next one, so every lab start begins with an empty astdb.
ASTDB = "/var/lib/asterisk/astdb.sqlite3"


class LabAsterisk:
    """One Asterisk in one chroot; the pid file makes start/stop work across processes."""

    def __init__(self, chroot: Path | str | None = None, run: Path | str | None = None) -> None:
        self.root = Path(chroot) if chroot is not None else chroot_dir()
        self.run_dir = Path(run) if run is not None else run_dir()
        self.pid_file = self.run_dir / "asterisk.pid"
        self.log_file = self.run_dir / "asterisk.log"
        # which config the running Asterisk was started with (written by lab.session.bring_up)
        self.digest_file = self.run_dir / "asterisk.config-digest"
        self._child: subprocess.Popen[bytes] | None = None

    # ---------- files ----------
    def host_path(self, path_in_chroot: str) -> Path:
        """Where an absolute path inside the chroot is on the host."""
        inner = PurePosixPath(path_in_chroot)
        if not inner.is_absolute() or ".." in inner.parts:
            raise LabError(f"not an absolute path inside the chroot: {path_in_chroot!r}")
        return self.root.joinpath(*inner.parts[1:])

    def full_log_path(self) -> Path:
        """Host path of Asterisk's `full` log (rotated to `full.1` at each start)."""
        return self.host_path(FULL_LOG)

    def modules_dir(self) -> str:
        """The Asterisk modules directory as seen inside the chroot (for `astmoddir`)."""
        found = sorted(self.root.glob("usr/lib/*/asterisk/modules")) + sorted(
            self.root.glob("usr/lib/asterisk/modules")
        )
        found = [d for d in found if (d / "chan_pjsip.so").exists()]
        if not found:
            raise LabError(f"no Asterisk modules directory (with chan_pjsip.so) in {self.root}")
        return "/" + found[0].relative_to(self.root).as_posix()

    def install_config(self, rendered_dir: Path | str) -> None:
        """Replace every *.conf in the chroot's /etc/asterisk with the rendered files."""
        src = Path(rendered_dir)
        if not (src / "asterisk.conf").is_file():
            raise LabError(f"{src} has no asterisk.conf: not a rendered Asterisk config directory")
        self._check_asterisk_conf((src / "asterisk.conf").read_text())
        etc = self.host_path(ETC)
        etc.mkdir(parents=True, exist_ok=True)
        for stale in etc.glob("*.conf"):
            stale.unlink()
        for item in sorted(src.rglob("*")):
            if item.is_file():
                dest = etc / item.relative_to(src)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(item, dest)
                shutil.copymode(item, dest)  # files with secrets stay 0640 in the chroot

    def _check_asterisk_conf(self, text: str) -> None:
        if re.search(r"^\s*\[directories\]\s*\(!\)", text, re.M):
            raise LabError(
                "asterisk.conf: '[directories](!)' is a template, Asterisk ignores the whole "
                "section; write '[directories]'"
            )
        etcdir = re.search(r"^\s*astetcdir\s*=>?\s*(\S+)", text, re.M)
        if etcdir and etcdir.group(1).rstrip("/") != ETC:
            raise LabError(f"asterisk.conf: astetcdir is {etcdir.group(1)}, the lab installs into {ETC}")
        moddir = re.search(r"^\s*astmoddir\s*=>?\s*(\S+)", text, re.M)
        if moddir and not self.host_path(moddir.group(1)).is_dir():
            raise LabError(
                f"asterisk.conf: astmoddir {moddir.group(1)} does not exist in the chroot; "
                f"use {self.modules_dir()}"
            )

    def install_files(self, src: Path | str, dest_in_chroot: str) -> Path:
        """Copy a directory (replacing the destination) or one file into the chroot."""
        source, dest = Path(src), self.host_path(dest_in_chroot)
        if source.is_dir():
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(source, dest)
        elif source.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        else:
            raise LabError(f"nothing to install: {source} does not exist")
        return dest

    # ---------- process ----------
    def pid(self) -> int | None:
        """The pid of the lab Asterisk if it is running (per the pid file), else None."""
        if self._child is not None:
            if self._child.poll() is None:
                return self._child.pid
            self._child = None
        pid = procs.read_pid(self.pid_file)
        # "chroot" for the instant before it exec()s asterisk
        if pid is None or not procs.alive(pid) or procs.command_name(pid) not in ("asterisk", "chroot"):
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self) -> int:
        """Start Asterisk in the background (or return the pid of the one already running)."""
        running = self.pid()
        if running is not None:
            return running
        if not (self.root / BINARY.lstrip("/")).exists():
            raise LabError(f"no Asterisk in {self.root}: run ensure_chroot() first")
        if not self.host_path(CONF).exists():
            raise LabError(f"no {CONF} in the chroot: call install_config() first")
        strays = procs.chrooted(self.root, "asterisk")
        if strays:
            raise LabError(
                f"an Asterisk not started by the lab runs in {self.root} (pid {strays}); stop it first"
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.digest_file.unlink(missing_ok=True)
        self.host_path(ASTDB).unlink(missing_ok=True)
        full = self.full_log_path()
        if full.exists():
            full.replace(full.with_name("full.1"))
        with self.log_file.open("wb") as log:
            self._child = subprocess.Popen(
                ["chroot", str(self.root), BINARY, "-f", "-n", "-C", CONF],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        # chroot exec()s asterisk, so the child's pid is Asterisk's pid
        procs.write_pid(self.pid_file, self._child.pid)
        return self._child.pid

    async def wait_ready(
        self,
        host: str = "127.0.0.1",
        port: int = 5038,
        username: str = "",
        secret: str = "",
        timeout: float = 30,
    ) -> None:
        """Poll AMI until a login succeeds and FullyBooted arrives; fail fast if Asterisk dies."""
        creds = AmiCredentials(host, port, username, secret)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last = "no attempt"
        while True:
            if not self.is_running():
                raise LabError(f"Asterisk is not running (it exited during startup?)\n{self.log_tail()}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise LabTimeout(
                    f"Asterisk AMI {host}:{port} not ready within {timeout} s (last: {last})\n"
                    f"{self.log_tail()}"
                )
            try:
                await wait_fully_booted(creds, timeout=min(remaining, 5))
                return
            except AmiError as exc:  # login rejected: waiting longer will not help
                raise LabError(f"Asterisk AMI {host}:{port}: {exc}") from exc
            except (OSError, LabError) as exc:  # refused, timed out, connection lost
                last = f"{type(exc).__name__}: {exc}"
            await asyncio.sleep(procs.POLL)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM (SIGKILL after `timeout`) the Asterisk named by the pid file."""
        pid = self.pid()
        if pid is not None:
            procs.terminate(pid, timeout)
        if self._child is not None:
            self._child.wait(timeout=5)
            self._child = None
        self.pid_file.unlink(missing_ok=True)
        self.digest_file.unlink(missing_ok=True)

    def cli(self, command: str, timeout: float = 20) -> str:
        """Run one CLI command on the running Asterisk (`asterisk -rx`) and return its output."""
        proc = subprocess.run(
            ["chroot", str(self.root), BINARY, "-C", CONF, "-rx", command],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if proc.returncode != 0 or "Unable to connect to remote asterisk" in proc.stdout:
            raise LabError(
                f"asterisk -rx {command!r} failed (rc={proc.returncode}): "
                f"{(proc.stdout + proc.stderr).strip()}"
            )
        return proc.stdout

    async def wait_for_log(self, pattern: str, count: int = 1, timeout: float = 5) -> list[re.Match[str]]:
        """Poll the `full` log until `pattern` (a regex) matches `count` times; return the matches."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        regex = re.compile(pattern)
        while True:
            try:
                text = self.full_log_path().read_text(errors="replace")
            except FileNotFoundError:
                text = ""
            found = list(regex.finditer(text))
            if len(found) >= count:
                return found
            if loop.time() > deadline:
                raise LabTimeout(
                    f"{len(found)} of {count} matches of {pattern!r} in the full log within {timeout} s"
                )
            await asyncio.sleep(procs.POLL)

    def log_tail(self, lines: int = 30) -> str:
        """The end of Asterisk's stdout log and of its `full` log, for error messages."""
        return (
            f"--- {self.log_file.name} ---\n{tail(self.log_file, lines)}\n"
            f"--- full ---\n{tail(self.full_log_path(), lines)}"
        )
