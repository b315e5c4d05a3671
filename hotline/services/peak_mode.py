"""Peak mode (seed 000 §36): a wide outage floods the line, so every caller hears the outage
notice before the menu, and the supervisor is alerted.

On by hand (`hotline peak on`, or the wallboard's switch with a note saying why: a flag file the
daemon checks, holding the note) or by itself while an outage notice in force covers at least
`peak.auto_towns` towns. Turning on (either way) raises the alert once: a `peak_mode` live event
and a warning in the log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.config_text import control_char
from hotline.selfservice.queries import list_notices
from hotline.settings import Peak

log = structlog.get_logger("peak")
RECHECK = timedelta(seconds=30)  # how long an automatic decision is reused (one query per 30 s)


class PeakMode:
    def __init__(self, cfg: Peak, engine: AsyncEngine, bus: EventBus, clock: Callable[[], datetime]):
        self.cfg, self.engine, self.bus, self.clock = cfg, engine, bus, clock
        self.flag = Path(cfg.flag_file)
        self._auto: tuple[datetime, str | None] | None = None  # (checked at, reason or None)
        self._deciding: asyncio.Future[str | None] | None = None  # the query under way, shared
        self.active_reason: str | None = None

    async def check(self) -> str | None:
        """Why peak mode is on now (None = off); alerts when it turns on."""
        reason = self._by_hand() or await self._automatic()
        if reason is not None and self.active_reason is None:
            log.warning("peak.alert", reason=reason)
            self.bus.peak_mode(True, reason)
        elif reason is None and self.active_reason is not None:
            log.info("peak.over")
            self.bus.peak_mode(False, self.active_reason)
        self.active_reason = reason
        return reason

    def _by_hand(self) -> str | None:
        """Why peak mode is on by hand while the flag file exists (None without it): "switched on
        by hand", with the note the file holds (the web console writes why; the CLI writes "on")."""
        try:
            text = self.flag.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return None
        except OSError:  # there but unreadable: still on
            text = ""
        note = flag_note(text)
        return f"switched on by hand: {note}" if note else "switched on by hand"

    async def _automatic(self) -> str | None:
        """The decision of the last 30 s, or a new one: calls arriving while it is being made
        share its one query (which finishes, and is kept, even if the call that started it goes)."""
        now = self.clock()
        if self._auto is not None and now - self._auto[0] < RECHECK:
            return self._auto[1]
        if self._deciding is None:
            self._deciding = asyncio.ensure_future(self._decide_once(now))
        return await asyncio.shield(self._deciding)

    async def _decide_once(self, now: datetime) -> str | None:
        try:
            return await self._decide(now)
        finally:
            self._deciding = None

    async def _decide(self, now: datetime) -> str | None:
        reason = None
        try:
            notices = await list_notices(self.engine, now=now)
        except (SQLAlchemyError, OSError) as exc:  # the database is away: calls go on as before
            reason = self._auto[1] if self._auto is not None else None
            log.warning("peak.check_failed", error=str(exc).splitlines()[0], keeping=reason)
            self._auto = (now, reason)
            return reason
        for n in notices:
            if n.starts_at <= now and len(n.towns) >= self.cfg.auto_towns:
                reason = f"{n.kind} outage in {n.area_name} covers {len(n.towns)} towns"
                break
        self._auto = (now, reason)
        return reason


NOTE_MAX = 100
_CLI_MARK = "on"


def flag_note(text: str) -> str:
    """The note a flag file holds: its first line without control characters, at most NOTE_MAX
    characters ("" for the CLI's plain "on")."""
    first = text.split("\n", 1)[0]
    note = "".join(ch for ch in first if control_char(ch) is None).strip()[:NOTE_MAX]
    return "" if note == _CLI_MARK else note


def switch(flag_file: Path, on: bool, note: str = "") -> None:
    """`hotline peak on|off` (and the console's switch, with why as `note`): the daemon sees the
    flag on the next call."""
    if on:
        flag_file.parent.mkdir(parents=True, exist_ok=True)
        flag_file.write_text(f"{flag_note(note) or _CLI_MARK}\n", encoding="utf-8")
    else:
        flag_file.unlink(missing_ok=True)
