"""An agent dials out (9 + number) on one of the outbound lines; the line cap holds for it too."""
from __future__ import annotations

import re

import structlog

from acd.trunks import Refuse, Release, Seize

from .agi.channel import AgiChannel
from .agi.errors import AgiError, AgiHangup
from .asterisk_render import outbound_dial_string
from .call_context import CallContext

log = structlog.get_logger("outbound")
_NUMBER = re.compile(r"[0-9]{3,20}")
_RESULT = {"ANSWER": "answered", "BUSY": "busy", "NOANSWER": "no_answer", "CANCEL": "cancelled",
           "CONGESTION": "failed", "CHANUNAVAIL": "failed"}


async def handle_agent_outbound(chan: AgiChannel, ctx: CallContext) -> None:
    uid = chan.uniqueid
    number = chan.args[0] if chan.args else ""
    agent_ext = chan.headers.get("agi_callerid", "")
    now = ctx.clock()
    await chan.set_variable("HOTLINE_DONE", "1")
    if not _NUMBER.fullmatch(number):
        log.warning("outbound.bad_number", number=number)
        await chan.exec("Congestion", "3")
        return
    common = dict(direction="outbound", caller_number=agent_ext, caller_name="", dnid=number,
                  trunk="outbound")
    (decision,) = ctx.trunks.handle(Seize(uid, "outbound"), now)
    if isinstance(decision, Refuse):
        ctx.recorder.call_blocked(uid, started_at=now, failure_reason=decision.reason, **common)
        ctx.call_ended(uid, "outbound", "blocked", decision.reason)
        await chan.exec("Congestion", "5")
        return
    ctx.recorder.call_started(uid, started_at=now, **common)
    outcome, reason, fields = "failed", None, {}
    try:
        await chan.exec("Dial", f"{outbound_dial_string(ctx.settings, number)},60,g")
        status = await chan.get_variable("DIALSTATUS") or ""
        outcome = _RESULT.get(status, "failed")
        if status == "ANSWER":
            talk = await chan.get_variable("ANSWEREDTIME")
            fields["talk_s"] = float(talk) if talk else 0.0
        elif outcome == "failed":
            reason = f"DIALSTATUS={status}"
        agent = ctx.settings.agent_by_extension(agent_ext)
        if agent:
            fields.update(agent_id=agent.id, agent_extension=agent.extension)
        await chan.hangup()
    except AgiHangup:
        pass  # the agent hung up; the outcome from DIALSTATUS (or 'failed' before it) stands
    except AgiError as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        ctx.trunks.handle(Release(uid), ctx.clock())
        ctx.recorder.call_ended(uid, ended_at=ctx.clock(), outcome=outcome, failure_reason=reason,
                                **fields)
        ctx.call_ended(uid, "outbound", outcome, reason)
