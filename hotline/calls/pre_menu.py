"""Before the menu: look the caller up, then say what ivr/pre_menu.py decides (the harassment
warning, the repair notice, the peak notice).

`look_up` runs while the call still rings (before the answer: the caller hears ringback, not
silence), as one statement (caller_facts.py) bounded by LOOKUP_TIMEOUT_S; a database that is
away, slow or broken is logged and the prompt is skipped: the call goes on to the menu.
`announce` plays the prompts and logs each path step like a menu step: an `ivr_step` call event
and live event with the node "harassment_warning" / "repair_notice", plus the call event of that
kind with its data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.calls.caller_facts import CallerFacts
from hotline.calls.context import CallContext
from hotline.harassment.flags import is_flagged
from hotline.orders.open_repairs import OpenRepair, open_repairs_in_areas
from hotline.phone_number import try_normalise
from hotline.selfservice.queries import areas_for_phone
from ivr.pre_menu import Announcement

log = structlog.get_logger("pre_menu")
LOOKUP_TIMEOUT_S = 1.0  # per lookup (they run side by side): at worst one more second of ringing
T = TypeVar("T")


@dataclass(frozen=True)
class Found:
    """What the lookups found about the caller."""

    flagged_number: str | None = None  # the caller's national number, when it is flagged
    repairs: tuple[OpenRepair, ...] = ()  # open repair orders in the caller's areas


def _timed_out(what: str, timeout_s: float) -> None:
    log.warning("pre_menu.lookup_failed", lookup=what, error=f"no answer within {timeout_s} s")


async def bounded(what: str, work: Awaitable[T], default: T, timeout_s: float) -> T:
    """`await work` within `timeout_s`; on a timeout or a database error, log and give `default`."""
    try:
        async with asyncio.timeout(timeout_s):
            return await work
    except TimeoutError:
        _timed_out(what, timeout_s)
    except (SQLAlchemyError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.warning("pre_menu.lookup_failed", lookup=what, error=first)
    return default


async def _repairs(engine: AsyncEngine, number: str) -> tuple[OpenRepair, ...]:
    areas = await areas_for_phone(engine, number)
    return tuple(await open_repairs_in_areas(engine, areas)) if areas else ()


async def look_up(facts: CallerFacts, caller: str, timeout_s: float = LOOKUP_TIMEOUT_S) -> Found:
    """Whether `caller` is flagged and the open repairs in its areas; nothing for an anonymous or
    unusable caller ID. One statement answers both (caller_facts.py); if the database refuses
    it, each lookup is asked on its own, so a broken table costs only its own prompt."""
    number = try_normalise(caller)
    if number is None:
        return Found()
    engine = facts.engine
    try:
        async with asyncio.timeout(timeout_s):
            flagged, repairs = await facts(number)
        return Found(number if flagged else None, repairs)
    except TimeoutError:
        for what in ("harassment", "repairs"):
            _timed_out(what, timeout_s)
        return Found()
    except (SQLAlchemyError, OSError):
        pass  # asked one by one below, each logging its own failure
    flagged, repairs = await asyncio.gather(
        bounded("harassment", is_flagged(engine, number), False, timeout_s),
        bounded("repairs", _repairs(engine, number), (), timeout_s),
    )
    return Found(number if flagged else None, repairs)


def _log_step(chan: AgiChannel, ctx: CallContext, step: str, key: str, path: list[dict[str, str]]) -> None:
    at = ctx.clock()
    entry = {"node": step, "key": key, "at": at.isoformat()}
    path.append(entry)
    ctx.recorder.event(chan.uniqueid, at, "ivr_step", entry)
    ctx.bus.ivr_step(chan.uniqueid, step, key)


async def announce(
    chan: AgiChannel, ctx: CallContext, announcements: tuple[Announcement, ...], path: list[dict[str, str]]
) -> None:
    """Play each announcement (not interruptible: they are short and must be heard); log its
    step first (and a "hangup" step when the caller hangs up during it). Raises AgiHangup."""
    for a in announcements:
        if a.step is not None:
            log.info("pre_menu.announce", step=a.step, **dict(a.data))
            ctx.recorder.event(chan.uniqueid, ctx.clock(), a.step, dict(a.data))
            _log_step(chan, ctx, a.step, "", path)
        try:
            await chan.stream_file(ctx.prompt(a.prompt))
        except AgiHangup:
            if a.step is not None:
                _log_step(chan, ctx, a.step, "hangup", path)
            raise
