"""Drive the pure IVR core over FastAGI: commands become AGI, AGI results become events.

The core's protocol (ivr/events.py): run each batch of commands in order; only the last one
waits, and exactly one event goes back for it. Every step (node, key, time) is kept for the
call's `ivr_path` and written as a call event at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import structlog

from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.calls.context import CallContext
from hotline.services.menus import LoadedMenu
from ivr.core import IvrCall
from ivr.events import (
    CallerHungUp,
    CollectDigits,
    Command,
    Digit,
    DigitsEntered,
    Event,
    HangUp,
    LogStep,
    Lookup,
    LookupResult,
    Play,
    PromptDone,
    Record,
    RecordDone,
    Started,
    StartTimer,
    SurveyAnswer,
    Timeout,
    TransferToAgent,
)
from ivr.say_zh import render_items

log = structlog.get_logger("ivr")
ANY_KEY = "0123456789*#"


@dataclass
class IvrOutcome:
    """What the IVR part of a call produced, filled in as it goes (true even after a hang-up)."""

    menu_version: str
    path: list[dict[str, str]] = field(default_factory=list)
    category: str | None = None  # business category of the last node the caller used
    transfer: TransferToAgent | None = None
    transfer_at: datetime | None = None  # when the caller asked for an agent (joined the queue)
    survey_score: int | None = None
    recordings: list[str] = field(default_factory=list)
    recorded_purposes: list[str] = field(default_factory=list)


async def run_ivr(
    chan: AgiChannel, ctx: CallContext, loaded: LoadedMenu, caller: str, out: IvrOutcome
) -> None:
    """Returns when the caller is transferred (out.transfer) or the IVR hung up; raises AgiHangup."""
    core = IvrCall(loaded.menu)
    commands = core.handle(Started(caller), ctx.clock())
    try:
        while True:
            event = None
            for cmd in commands:  # asking for an agent counts from the decision, not the prompt
                if isinstance(cmd, TransferToAgent):
                    out.transfer, out.transfer_at, out.category = cmd, ctx.clock(), cmd.category
            for i, cmd in enumerate(commands):
                last = i == len(commands) - 1
                event = await _execute(chan, ctx, core, cmd, last, out)
                if isinstance(cmd, (TransferToAgent, HangUp)):
                    return
            if event is None:
                raise RuntimeError(f"IVR batch {commands!r} left nothing to wait for")
            commands = core.handle(event, ctx.clock())
    except AgiHangup:
        for cmd in core.handle(CallerHungUp(), ctx.clock()):
            if isinstance(cmd, LogStep):
                _log_step(ctx, chan, cmd, out, core)
        raise


def _log_step(ctx: CallContext, chan: AgiChannel, step: LogStep, out: IvrOutcome, core: IvrCall) -> None:
    node = core.menu.nodes.get(step.node)
    entry = {"node": step.node, "key": step.key, "at": step.at.isoformat()}
    out.path.append(entry)
    # the function the caller used: the last node with a real category (not the goodbye/top menu)
    if node is not None and step.key != "hangup" and node.category != "other":
        out.category = node.category
    ctx.recorder.event(chan.uniqueid, step.at, "ivr_step", entry)
    ctx.bus.ivr_step(chan.uniqueid, step.node, step.key)


async def _execute(
    chan: AgiChannel, ctx: CallContext, core: IvrCall, cmd: Command, last: bool, out: IvrOutcome
) -> Event | None:
    if isinstance(cmd, LogStep):
        _log_step(ctx, chan, cmd, out, core)
        return None
    if isinstance(cmd, SurveyAnswer):
        out.survey_score = int(cmd.key) if cmd.key.isdigit() else None
        ctx.recorder.event(chan.uniqueid, ctx.clock(), "survey", {"node": cmd.node, "key": cmd.key})
        return None
    if isinstance(cmd, Play):
        return await _play(chan, ctx, cmd, interruptible=cmd.interruptible and last)
    if isinstance(cmd, StartTimer):
        key = await chan.wait_for_digit(int(cmd.seconds * 1000))
        return Digit(key) if key else Timeout()
    if isinstance(cmd, CollectDigits):
        return await _collect(chan, cmd)
    if isinstance(cmd, Lookup):
        items = await ctx.lookup(cmd.kind, cmd.value, caller_number=core.caller_number)
        return LookupResult(items)
    if isinstance(cmd, Record):
        return await _record(chan, ctx, cmd, out)
    if isinstance(cmd, (TransferToAgent, HangUp)):
        return None  # the transfer was noted when the batch arrived
    raise TypeError(f"the IVR adapter does not know command {cmd!r}")


async def _play(chan: AgiChannel, ctx: CallContext, cmd: Play, *, interruptible: bool) -> Event:
    for prompt_id in render_items(cmd.prompt_ids):
        key = await chan.stream_file(ctx.prompt(prompt_id), ANY_KEY if interruptible else "")
        if key:
            return Digit(key)  # barge-in: the key is taken at once
    return PromptDone()


async def _collect(chan: AgiChannel, cmd: CollectDigits) -> Event:
    digits = ""
    while len(digits) < cmd.max_digits:
        key = await chan.wait_for_digit(int(cmd.timeout_s * 1000))
        if key is None:
            return DigitsEntered(digits) if digits else Timeout()
        if key == cmd.end_key:
            break
        digits += key
    return DigitsEntered(digits)


async def _record(chan: AgiChannel, ctx: CallContext, cmd: Record, out: IvrOutcome) -> Event:
    """RECORD FILE with a beep; ends on #, silence or max length. A file the caller left by
    hanging up mid-message is still linked to the call."""
    n = len(out.recordings) + 1
    path = f"{ctx.settings.asterisk.recordings_dir.rstrip('/')}/{cmd.purpose}-{chan.uniqueid}-{n}"
    reply = await chan.command(
        "RECORD FILE",
        path,
        "wav",
        "#",
        cmd.max_s * 1000,
        0,
        "BEEP",
        "s=5",
        timeout=chan.reply_timeout + cmd.max_s,
    )
    endpos = reply.number("endpos")
    seconds = max(0, endpos) / 8000 if endpos is not None else 0.0
    if seconds >= 1:
        out.recordings.append(f"{path}.wav")
        out.recorded_purposes.append(cmd.purpose)
        ctx.recorder.event(
            chan.uniqueid,
            ctx.clock(),
            "recorded",
            {"purpose": cmd.purpose, "path": f"{path}.wav", "seconds": round(seconds, 2)},
        )
    if reply.result == -1:
        raise AgiHangup("caller hung up while recording")
    return RecordDone(f"{path}.wav", seconds)
