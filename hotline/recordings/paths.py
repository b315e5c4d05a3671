"""From a recording's path in the store to the file on this host, refusing anything outside the
recordings directory.

Asterisk writes recordings under `asterisk.recordings_dir` as IT sees that directory; the calls
row keeps that path. The daemon finds the same file under `asterisk.recordings_host_dir` (the
lab's Asterisk runs in a chroot: /var/spool/asterisk/monitor/x.wav is
<chroot>/var/spool/asterisk/monitor/x.wav here). Only paths taken from the store are ever mapped,
never one from a request, and even those must stay inside the directory: no `..`, no other
directory, no symlink leading out (a row or a link someone planted cannot expose or delete
/etc/shadow).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hotline.config_text import control_char
from hotline.settings import AsteriskPaths


class RecordingPathError(ValueError):
    """A stored path that is no file of the recordings directory; the message says why."""


@dataclass(frozen=True)
class RecordingsDir:
    asterisk_dir: PurePosixPath  # recordings_dir as Asterisk sees it
    host_dir: Path  # the same directory as the daemon sees it

    @classmethod
    def from_settings(cls, paths: AsteriskPaths) -> RecordingsDir:
        return cls(PurePosixPath(paths.recordings_dir), Path(paths.recordings_on_host))

    def host_path(self, stored: str) -> Path:
        """Where the file `stored` (a path as Asterisk wrote it) is on this host, by its name
        alone (nothing on disk is looked at); RecordingPathError for a path outside the directory."""
        bad = control_char(stored) or ("U+0000" if "\x00" in stored else None)
        if bad:
            raise RecordingPathError(f"recording path holds a control character ({bad})")
        inner = PurePosixPath(stored)
        if not inner.is_absolute() or ".." in inner.parts:
            raise RecordingPathError(f"recording path {stored!r} is not an absolute path without '..'")
        try:
            relative = inner.relative_to(self.asterisk_dir)
        except ValueError:
            raise RecordingPathError(
                f"recording path {stored!r} is not in the recordings directory {self.asterisk_dir}"
            ) from None
        if not relative.parts:
            raise RecordingPathError(f"recording path {stored!r} is the recordings directory itself")
        return self.host_dir.joinpath(*relative.parts)

    def _root(self) -> Path:
        return self.host_dir.resolve(strict=True)

    def readable(self, stored: str) -> Path:
        """The real file to read for `stored`: its symlinks followed, it must still be a regular
        file inside the recordings directory. FileNotFoundError if it is not there (any more)."""
        real = self.host_path(stored).resolve(strict=True)
        if not real.is_relative_to(self._root()):
            raise RecordingPathError(f"recording path {stored!r} leads out of the recordings directory")
        if not stat.S_ISREG(real.stat().st_mode):
            raise RecordingPathError(f"recording path {stored!r} is not a regular file")
        return real

    def delete(self, stored: str) -> None:
        """Remove the file `stored`. Its directory (symlinks followed) must be inside the
        recordings directory and the file itself a regular file, not a symlink (unlinking a link
        would leave its target, unlinking its target would remove another file).
        FileNotFoundError if it is not there."""
        candidate = self.host_path(stored)
        folder = candidate.parent.resolve(strict=True)
        if not folder.is_relative_to(self._root()):
            raise RecordingPathError(f"recording path {stored!r} leads out of the recordings directory")
        target = folder / candidate.name
        if not stat.S_ISREG(os.lstat(target).st_mode):
            raise RecordingPathError(f"recording path {stored!r} is not a regular file (a symlink?)")
        target.unlink()
