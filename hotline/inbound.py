"""The inbound call flow: admit (or refuse when all lines are busy), the voice menu, the agents.

One call = one FastAGI session = one coroutine. Whatever happens - the caller hangs up
mid-prompt, Asterisk drops the socket, the daemon shuts down - the call is recorded exactly once
with a final outcome, its IVR path and the menu version it used.
"""
from __future__ import annotations

import structlog

from acd.trunks import Admit, Refuse, Release, Seize

from .agent_queue import QueueResult, wait_for_agent
from .agi.channel import AgiChannel
from .agi.errors import AgiError, AgiHangup
from .call_context import CallContext
from .caller_id import caller_from
from .ivr_session import IvrOutcome, run_ivr

log = structlog.get_logger("inbound")

# what a hang-up means, by where the caller was
_HANGUP_OUTCOME = {"ivr": "ivr_only", "queued": "abandoned_queue",
                   "ringing": "abandoned_ringing", "talking": "agent_answered",
                   "done": "agent_answered", "message": "message_left",
                   "callback": "callback_requested"}


async def handle_inbound(chan: AgiChannel, ctx: CallContext) -> None:
    now = ctx.clock()
    uid = chan.uniqueid
    number, name = caller_from(chan.args, chan.headers)
    common = dict(direction="inbound", caller_number=number, caller_name=name,
                  dnid=chan.headers.get("agi_dnid", ""), trunk=chan.headers.get("agi_channel", ""))
    (decision,) = ctx.trunks.handle(Seize(uid, "inbound"), now)
    if isinstance(decision, Refuse):
        log.info("call.blocked", reason=decision.reason)
        ctx.recorder.call_blocked(uid, started_at=now, failure_reason=decision.reason, **common)
        ctx.call_ended(uid, "inbound", "blocked", decision.reason)
        await chan.set_variable("HOTLINE_DONE", "1")
        await chan.exec("Busy", "5")
        return
    assert isinstance(decision, Admit)
    ctx.recorder.call_started(uid, started_at=now, **common)
    loaded = ctx.menus.current  # this call keeps this menu even if it is reloaded meanwhile
    log.info("call.started", caller=number, lines_in_use=decision.in_use, menu=loaded.version)
    ctx.bus.publish("call_started", {"uniqueid": uid, "direction": "inbound", "caller": number,
                                     "dnid": common["dnid"], "lines_in_use": decision.in_use})
    ivr = IvrOutcome(loaded.version)
    ring = QueueResult()
    phase = "ivr"
    outcome: str | None = None
    reason: str | None = None
    answered_at = None
    try:
        await chan.answer()
        answered_at = ctx.clock()
        await chan.set_variable("HOTLINE_CALLER", number)
        if await ctx.peak.check():  # a wide outage: its notice comes before the menu
            await chan.stream_file(ctx.prompt("peak_notice"))
        await run_ivr(chan, ctx, loaded, number, ivr)
        if ivr.transfer is not None:  # the agent node already told the caller
            phase = "queued"
            ctx.bus.publish("queued", {"uniqueid": uid, "category": ivr.transfer.category,
                                       "priority": ivr.transfer.priority})
            ring.priority = _priority(ctx, number, ivr)
            await wait_for_agent(chan, ctx, ivr.transfer, ring.priority, ivr.transfer_at, ring)
            phase = ring.phase  # done (talked), message or callback
            if not chan.hung_up:
                await chan.stream_file(ctx.prompt("goodbye"))
        outcome = _ended_outcome(phase, ivr)
        await chan.set_variable("HOTLINE_DONE", "1")
        await chan.hangup()
    except AgiHangup:
        if outcome is None:
            outcome = _ended_outcome(ring.phase if phase != "ivr" else "ivr", ivr)
    except AgiError as exc:
        outcome, reason = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        ctx.trunks.handle(Release(uid), ctx.clock())
        acd_outcome = ctx.acd.forget(uid)
        if outcome is None:
            outcome, reason = "failed", "the daemon stopped during the call"
        elif outcome in _HANGUP_OUTCOME.values() and acd_outcome is not None:
            outcome = acd_outcome  # the ACD saw exactly where the caller was
        ctx.recorder.call_ended(uid, ended_at=ctx.clock(), outcome=outcome, failure_reason=reason,
                                answered_at=answered_at, **_fields(ctx, ivr, ring))
        ctx.call_ended(uid, "inbound", outcome, reason)
        log.info("call.ended", outcome=outcome, reason=reason, phase=phase)
        if ctx.outbound is not None and ivr.transfer is not None:
            waited = (ctx.clock() - ivr.transfer_at).total_seconds() if ivr.transfer_at else None
            ctx.outbound.after_inbound_call(
                uniqueid=uid, number=number, outcome=outcome, category=ivr.category,
                priority=ring.priority or 0, waited_s=waited)


def _priority(ctx: CallContext, caller: str, ivr: IvrOutcome) -> int:
    """The menu's priority, raised for key accounts (VIP numbers): they are served first."""
    assert ivr.transfer is not None
    vip = ctx.settings.acd.vip_priority if caller in ctx.settings.acd.vip_numbers else 0
    return max(ivr.transfer.priority, vip)


def _ended_outcome(phase: str, ivr: IvrOutcome) -> str:
    if phase == "ivr" and ivr.transfer is not None:
        return "abandoned_queue"  # asked for an agent, left during the transfer prompt
    if phase == "ivr" and "message" in ivr.recorded_purposes:
        return "message_left"
    return _HANGUP_OUTCOME[phase]


def _fields(ctx: CallContext, ivr: IvrOutcome, ring: QueueResult) -> dict:
    fields: dict = {"ivr_path": ivr.path, "menu_version": ivr.menu_version,
                    "business_category": ivr.category, "survey_score": ivr.survey_score,
                    "message_path": ivr.recordings[0] if ivr.recordings else None}
    if ivr.transfer is not None:
        fields.update(priority=ring.priority if ring.priority is not None else ivr.transfer.priority, queued_at=ivr.transfer_at,
                      agents_rung=ring.agents_rung, ring_time_s=round(ring.ring_time_s, 3))
    if ring.message is not None:
        fields["message_path"] = ring.message
    if ring.recording is not None:
        fields["recording_path"] = ring.recording
    if ring.survey_score is not None:
        fields["survey_score"] = ring.survey_score
    if ring.agent_id:
        fields.update(agent_extension=ring.agent_extension, agent_id=ring.agent_id,
                      talk_started_at=ring.talk_started_at, talk_s=ring.talk_s)
    return fields
