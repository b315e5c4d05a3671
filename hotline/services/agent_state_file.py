"""The agents' states (logged in, paused and why) kept in a JSON file across daemon restarts.

Written atomically on every change; read once at start. With no file, or an unusable one, every
agent starts logged out: a corrupt file is kept aside as <name>.corrupt-<UTC time> and logged,
never fatal; an unreadable one (permissions, I/O) is left where it is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import structlog

from acd.core import AcdCore

log = structlog.get_logger("acd")


class AgentStateFile:
    def __init__(self, path: Path, clock: Callable[[], datetime]):
        self.path, self.clock = path, clock

    def restore_into(self, core: AcdCore) -> None:
        try:
            data = json.loads(self.path.read_bytes().decode("utf-8"))
            core.restore(data)  # checks every record before changing anything
        except FileNotFoundError:
            return
        except (IsADirectoryError, ValueError, TypeError, RecursionError) as exc:
            # ValueError covers bad JSON, non-UTF-8 bytes and a wrong shape (AcdError)
            self._set_aside(f"{type(exc).__name__}: {str(exc)[:200]}")
            return
        except OSError as exc:
            log.error("acd.state_file_unreadable", path=str(self.path), reason=str(exc))
            return
        log.info("acd.restored", agents=core.agents_by_state())

    def save(self, snapshot: dict[str, object]) -> None:
        """Write the agents' states atomically; a failure is logged and the ACD goes on."""
        tmp = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(snapshot, ensure_ascii=False, default=str), encoding="utf-8")
            os.replace(tmp, self.path)  # atomic: a crash leaves the old or the new state
        except OSError as exc:
            log.error("acd.state_file_unwritable", path=str(self.path), reason=str(exc))

    def _set_aside(self, reason: str) -> None:
        stamp = self.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 0
        while aside.exists() or aside.is_symlink():  # never overwrite an earlier corrupt copy
            n += 1
            aside = aside.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            self.path.rename(aside)
        except OSError as exc:
            log.error(
                "acd.state_file_corrupt",
                path=str(self.path),
                reason=reason,
                moved_to=None,
                move_failed=str(exc),
            )
            return
        log.error(
            "acd.state_file_corrupt",
            path=str(self.path),
            reason=reason,
            moved_to=str(aside),
            agents="all logged out",
        )
