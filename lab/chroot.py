"""The Debian sid chroot that holds Asterisk 22 for the lab.

`ensure_chroot()` is idempotent: a finished chroot is recognised by `/usr/sbin/asterisk` plus a
marker file written only after provisioning succeeded. A new chroot is built by debootstrap in a
temporary sibling directory and renamed into place at the end, so an interrupted build never
leaves a half chroot that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from lab.errors import LabError
from lab.locations import chroot_dir, run_dir, tail

SUITE = "sid"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("asterisk", "asterisk-core-sounds-en-wav")
MARKER = "etc/hotline-lab.provisioned"  # relative to the chroot root
ASTERISK = "usr/sbin/asterisk"


def mirror() -> str:
    """The Debian mirror used for a build: `HOTLINE_LAB_MIRROR`, else deb.debian.org."""
    return os.environ.get("HOTLINE_LAB_MIRROR") or DEFAULT_MIRROR


def ensure_chroot(path: Path | str | None = None) -> Path:
    """Return the path of a provisioned Asterisk chroot, building it first if needed.

    A chroot that has Asterisk but no marker (built by hand with the same debootstrap command)
    is checked (`asterisk -V`, English prompts present) and adopted. A non-empty directory without
    Asterisk is never overwritten: the error says to remove it.
    """
    root = Path(path) if path is not None else chroot_dir()
    if (root / ASTERISK).exists() and (root / MARKER).exists():
        return root
    _require_root("inspect or build the Asterisk chroot")
    if (root / ASTERISK).exists():
        _adopt(root)
        return root
    if root.exists() and any(root.iterdir()):
        raise LabError(
            f"{root} exists but holds no Asterisk and no provisioning marker "
            f"(an unfinished or foreign directory); remove it and run again"
        )
    _build(root)
    return root


def asterisk_version(path: Path | str | None = None) -> str:
    """`asterisk -V` inside the chroot, e.g. 'Asterisk 22.10.1+dfsg+~cs6.17.60671434-1'."""
    root = Path(path) if path is not None else chroot_dir()
    if not (root / ASTERISK).exists():
        raise LabError(f"no Asterisk in {root}: run ensure_chroot() first")
    proc = subprocess.run(
        ["chroot", str(root), "/" + ASTERISK, "-V"], capture_output=True, text=True, timeout=30
    )
    if proc.returncode != 0 or not proc.stdout.startswith("Asterisk"):
        raise LabError(f"'asterisk -V' in {root} failed (rc={proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout.strip()


def _require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise LabError(f"root is needed to {what} (debootstrap and chroot need it)")


def _adopt(root: Path) -> None:
    version = asterisk_version(root)
    sounds = list((root / "usr/share/asterisk/sounds").glob("*/hello-world.*"))
    if not sounds:
        raise LabError(
            f"{root} has Asterisk but no English prompts (package asterisk-core-sounds-en-wav); "
            f"remove the directory and run again"
        )
    _write_marker(root, version, adopted=True)


def _write_marker(root: Path, version: str, *, adopted: bool) -> None:
    info = {
        "asterisk": version,
        "suite": SUITE,
        "packages": list(PACKAGES),
        "mirror": None if adopted else mirror(),
        "adopted": adopted,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    marker = root / MARKER
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps(info, indent=1) + "\n")
    tmp.replace(marker)


def _build(root: Path) -> None:
    _require_root("build the Asterisk chroot")
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise LabError(
            "debootstrap is not installed: apt-get install debootstrap (Debian package 'debootstrap')"
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    for stale in root.parent.glob(f".{root.name}.building-*"):
        _remove_tree(stale)
    work = root.parent / f".{root.name}.building-{os.getpid()}"
    log_path = run_dir() / "chroot-build.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        debootstrap,
        "--variant=minbase",
        "--include=" + ",".join(PACKAGES),
        SUITE,
        str(work),
        mirror(),
    ]
    try:
        with log_path.open("wb") as log:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        if proc.returncode != 0:
            raise LabError(f"debootstrap failed (rc={proc.returncode}), see {log_path}:\n{tail(log_path)}")
        if not (work / ASTERISK).exists():
            raise LabError(f"debootstrap finished but {ASTERISK} is missing, see {log_path}")
        _write_marker(work, asterisk_version(work), adopted=False)
        if root.exists():
            root.rmdir()  # an empty placeholder directory
        work.rename(root)
    finally:
        if work.exists():
            _remove_tree(work)


def _remove_tree(path: Path) -> None:
    """Delete a scratch chroot, unmounting anything a killed debootstrap left mounted in it."""
    prefix = str(path.resolve()) + "/"
    mounts = [
        line.split()[1]
        for line in Path("/proc/self/mounts").read_text().splitlines()
        if line.split()[1].startswith(prefix)
    ]
    for mount_point in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", mount_point], check=False)
    still = [
        line.split()[1]
        for line in Path("/proc/self/mounts").read_text().splitlines()
        if line.split()[1].startswith(prefix)
    ]
    if still:
        raise LabError(f"cannot remove {path}: still mounted: {', '.join(still)}")
    shutil.rmtree(path)
