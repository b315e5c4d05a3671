"""The inbound call flow: admit (or refuse when all lines are busy), the voice menu, the agents.

One call = one FastAGI session = one coroutine. Whatever happens - the caller hangs up
mid-prompt, Asterisk drops the socket or stops answering, the daemon shuts down, a value the
store cannot hold - the line is released and the call is recorded exactly once, with a final
outcome, its IVR path and the menu version it used, in the same `finally`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import structlog

from acd.trunks import Admit, Refuse, Release, Seize
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiError, AgiHangup
from hotline.calls.caller_id import caller_from
from hotline.calls.context import CallContext
from hotline.calls.fields import claim_call_id, store_text
from hotline.calls.menu_session import IvrOutcome, run_ivr
from hotline.calls.queue_wait import QueueResult, wait_for_agent
from hotline.phone_number import vip_priority

log = structlog.get_logger("inbound")

# what a hang-up means, by where the caller was
_HANGUP_OUTCOME = {
    "ivr": "ivr_only",
    "queued": "abandoned_queue",
    "ringing": "abandoned_ringing",
    "talking": "agent_answered",
    "done": "agent_answered",
    "message": "message_left",
    "callback": "callback_requested",
}
STOPPED = "the daemon stopped during the call"


@dataclass
class _Call:
    """One inbound call as it goes, so whatever ends it leaves a true record."""

    uid: str
    number: str
    ivr: IvrOutcome
    ring: QueueResult = field(default_factory=QueueResult)
    phase: str = "ivr"
    outcome: str | None = None
    reason: str | None = None
    answered_at: datetime | None = None


async def handle_inbound(chan: AgiChannel, ctx: CallContext) -> None:
    now = ctx.clock()
    claim_call_id(chan, ctx.recorder)
    uid = chan.uniqueid
    number, name = caller_from(chan.args, chan.headers)
    common = dict(
        direction="inbound",
        caller_number=store_text(number, "caller_number"),
        caller_name=store_text(name, "caller_name"),
        dnid=store_text(chan.headers.get("agi_dnid", ""), "dnid"),
        trunk=store_text(chan.headers.get("agi_channel", ""), "trunk"),
    )
    (decision,) = ctx.trunks.handle(Seize(uid, "inbound"), now)
    if isinstance(decision, Refuse):
        await _refuse(chan, ctx, decision, now, common)
        return
    assert isinstance(decision, Admit)
    loaded = ctx.menus.current  # this call keeps this menu even if it is reloaded meanwhile
    call = _Call(uid, number, IvrOutcome(loaded.version))
    try:
        ctx.recorder.call_started(uid, started_at=now, **common)
        log.info("call.started", caller=number, lines_in_use=decision.in_use, menu=loaded.version)
        ctx.bus.publish(
            "call_started",
            {
                "uniqueid": uid,
                "direction": "inbound",
                "caller": number,
                "dnid": common["dnid"],
                "lines_in_use": decision.in_use,
            },
        )
        await _serve(chan, ctx, call, loaded)
    except AgiHangup:
        if call.outcome is None:
            call.outcome = _ended_outcome(call.ring.phase if call.phase != "ivr" else "ivr", call.ivr)
    except AgiError as exc:
        call.outcome, call.reason = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        ctx.trunks.handle(Release(uid), ctx.clock())
        _finish(chan, ctx, call)


async def _refuse(chan: AgiChannel, ctx: CallContext, decision: Refuse, now: datetime, common: dict) -> None:
    log.info("call.blocked", reason=decision.reason)
    ctx.recorder.call_blocked(chan.uniqueid, started_at=now, failure_reason=decision.reason, **common)
    ctx.call_ended(chan.uniqueid, "inbound", "blocked", decision.reason)
    await chan.set_variable("HOTLINE_DONE", "1")
    await chan.exec("Busy", "5")


async def _serve(chan: AgiChannel, ctx: CallContext, call: _Call, loaded) -> None:
    await chan.answer()
    call.answered_at = ctx.clock()
    await chan.set_variable("HOTLINE_CALLER", call.number)
    if await ctx.peak.check():  # a wide outage: its notice comes before the menu
        await chan.stream_file(ctx.prompt("peak_notice"))
    ivr = call.ivr
    await run_ivr(chan, ctx, loaded, call.number, ivr)
    if ivr.transfer is not None:  # the agent node already told the caller
        call.phase = "queued"
        ctx.bus.publish(
            "queued",
            {"uniqueid": call.uid, "category": ivr.transfer.category, "priority": ivr.transfer.priority},
        )
        call.ring.priority = _priority(ctx, call.number, ivr)
        await wait_for_agent(chan, ctx, ivr.transfer, call.ring.priority, ivr.transfer_at, call.ring)
        call.phase = call.ring.phase  # done (talked), message or callback
        if not chan.hung_up:
            await chan.stream_file(ctx.prompt("goodbye"))
    call.outcome = _ended_outcome(call.phase, ivr)
    await chan.set_variable("HOTLINE_DONE", "1")
    await chan.hangup()


def _finish(chan: AgiChannel, ctx: CallContext, call: _Call) -> None:
    """The call's one record, its live event and the follow-ups it asks for."""
    acd_outcome = ctx.acd.forget(call.uid)
    if call.outcome is None:
        call.outcome, call.reason = "failed", chan.abort_reason or STOPPED
    elif call.outcome in _HANGUP_OUTCOME.values() and acd_outcome is not None:
        call.outcome = acd_outcome  # the ACD saw exactly where the caller was
    ctx.recorder.call_ended(
        call.uid,
        ended_at=ctx.clock(),
        outcome=call.outcome,
        failure_reason=call.reason,
        answered_at=call.answered_at,
        **_fields(ctx, call.ivr, call.ring),
    )
    ctx.call_ended(call.uid, "inbound", call.outcome, call.reason)
    log.info("call.ended", outcome=call.outcome, reason=call.reason, phase=call.phase)
    ivr = call.ivr
    if ctx.outbound is not None and ivr.transfer is not None:
        waited = (ctx.clock() - ivr.transfer_at).total_seconds() if ivr.transfer_at else None
        ctx.outbound.after_inbound_call(
            uniqueid=call.uid,
            number=call.number,
            outcome=call.outcome,
            category=ivr.category,
            priority=call.ring.priority or 0,
            waited_s=waited,
        )


def _priority(ctx: CallContext, caller: str, ivr: IvrOutcome) -> int:
    """The menu's priority, raised for key accounts (VIP numbers, in any written form: +86...,
    0086...): they are served first."""
    assert ivr.transfer is not None
    vip = vip_priority(caller, ctx.settings.acd.vip_numbers, ctx.settings.acd.vip_priority)
    return max(ivr.transfer.priority, vip)


def _ended_outcome(phase: str, ivr: IvrOutcome) -> str:
    if phase == "ivr" and ivr.transfer is not None:
        return "abandoned_queue"  # asked for an agent, left during the transfer prompt
    if phase == "ivr" and "message" in ivr.recorded_purposes:
        return "message_left"
    return _HANGUP_OUTCOME[phase]


def _fields(ctx: CallContext, ivr: IvrOutcome, ring: QueueResult) -> dict:
    fields: dict = {
        "ivr_path": ivr.path,
        "menu_version": ivr.menu_version,
        "business_category": ivr.category,
        "survey_score": ivr.survey_score,
        "message_path": ivr.recordings[0] if ivr.recordings else None,
    }
    if ivr.transfer is not None:
        fields.update(
            priority=ring.priority if ring.priority is not None else ivr.transfer.priority,
            queued_at=ivr.transfer_at,
            agents_rung=ring.agents_rung,
            ring_time_s=round(ring.ring_time_s, 3),
        )
    if ring.message is not None:
        fields["message_path"] = ring.message
    if ring.recording is not None:
        fields["recording_path"] = ring.recording
    if ring.survey_score is not None:
        fields["survey_score"] = ring.survey_score
    if ring.agent_id:
        fields.update(
            agent_extension=ring.agent_extension,
            agent_id=ring.agent_id,
            talk_started_at=ring.talk_started_at,
            talk_s=ring.talk_s,
        )
    return fields
