"""The inbound call flow: admit (or refuse when all lines are busy), the voice menu, the agents.

One call = one FastAGI session = one coroutine. Whatever happens - the caller hangs up
mid-prompt, Asterisk drops the socket or stops answering, the daemon shuts down, a value the
store cannot hold - the line is released and the call is recorded exactly once, with a final
outcome, its IVR path and the menu version it used, in the same `finally`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from acd.outcome import final_outcome
from acd.trunks import Admit, Refuse, Release, Seize
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiError, AgiHangup
from hotline.calls.caller_id import caller_from
from hotline.calls.context import CallContext
from hotline.calls.fields import claim_call_id, endpoint_of, store_text
from hotline.calls.menu_session import IvrOutcome, run_ivr
from hotline.calls.pre_menu import announce, look_up
from hotline.calls.queue_wait import QueueResult, wait_for_agent
from hotline.phone_number import vip_priority
from hotline.services.menus import LoadedMenu
from ivr.pre_menu import before_menu

log = structlog.get_logger("inbound")

STOPPED = "the daemon stopped during the call"


@dataclass
class _Call:
    """One inbound call as it goes, so whatever ends it leaves a true record."""

    uid: str
    number: str
    ivr: IvrOutcome
    ring: QueueResult = field(default_factory=QueueResult)
    ended_in_order: bool = False  # by a hang-up or the end of the flow (not an error or a stop)
    reason: str | None = None
    answered_at: datetime | None = None


async def handle_inbound(chan: AgiChannel, ctx: CallContext) -> None:
    now = ctx.clock()
    claim_call_id(chan, ctx.recorder)
    uid = chan.uniqueid
    number, name = caller_from(chan.args, chan.headers)
    common = _columns(chan, number, name)
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
        ctx.bus.call_started(uid, "inbound", caller=number, dnid=common["dnid"], lines_in_use=decision.in_use)
        await _serve(chan, ctx, call, loaded)
    except AgiHangup:
        call.ended_in_order = True
    except AgiError as exc:
        call.reason = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        ctx.trunks.handle(Release(uid), ctx.clock())
        _finish(chan, ctx, call)


def _columns(chan: AgiChannel, number: str, name: str) -> dict[str, Any]:
    return dict(
        direction="inbound",
        caller_number=store_text(number, "caller_number"),
        caller_name=store_text(name, "caller_name"),
        dnid=store_text(chan.headers.get("agi_dnid", ""), "dnid"),
        trunk=store_text(chan.headers.get("agi_channel", ""), "trunk"),
    )


async def _refuse(
    chan: AgiChannel, ctx: CallContext, decision: Refuse, now: datetime, common: dict[str, Any]
) -> None:
    log.info("call.blocked", reason=decision.reason)
    ctx.recorder.call_blocked(chan.uniqueid, started_at=now, failure_reason=decision.reason, **common)
    ctx.call_ended(chan.uniqueid, "inbound", "blocked", decision.reason)
    await chan.set_variable("HOTLINE_DONE", "1")
    await chan.exec("Busy", "5")


async def _serve(chan: AgiChannel, ctx: CallContext, call: _Call, loaded: LoadedMenu) -> None:
    found = await look_up(ctx.caller_facts, call.number)  # while it rings: bounded, never fails the call
    await chan.answer()
    call.answered_at = ctx.clock()
    peak = await ctx.peak.check() is not None  # a wide outage (checked on every call: it alerts)
    ivr = call.ivr
    await announce(chan, ctx, before_menu(found.flagged_number, found.repairs, peak), ivr.path)
    await run_ivr(chan, ctx, loaded, call.number, ivr)
    if ivr.transfer is not None:  # the agent node already told the caller
        call.ring.priority = _priority(ctx, call.number, ivr)
        ctx.bus.call_queued(call.uid, ivr.transfer.category, call.ring.priority)
        assert ivr.transfer_at is not None  # set with the transfer
        placed_by = ctx.acd.agent_for_extension(endpoint_of(chan.headers.get("agi_channel", "")))
        await wait_for_agent(
            chan, ctx, ivr.transfer, call.ring.priority, ivr.transfer_at, call.ring, placed_by
        )
        if not chan.hung_up:
            await chan.stream_file(ctx.prompt("goodbye"))
    call.ended_in_order = True
    await chan.set_variable("HOTLINE_DONE", "1")
    await chan.hangup()


def _finish(chan: AgiChannel, ctx: CallContext, call: _Call) -> None:
    """The call's one record, its live event and the follow-ups it asks for."""
    ivr = call.ivr
    interrupted = not call.ended_in_order
    outcome = final_outcome(
        ctx.acd.forget(call.uid),
        interrupted=interrupted,
        asked_for_agent=ivr.transfer is not None,
        message_in_menu="message" in ivr.recorded_purposes,
    )
    reason = (call.reason or chan.abort_reason or STOPPED) if outcome == "failed" else None
    ctx.recorder.call_ended(
        call.uid,
        ended_at=ctx.clock(),
        outcome=outcome,
        failure_reason=reason,
        answered_at=call.answered_at,
        **_fields(ctx, ivr, call.ring),
    )
    ctx.call_ended(call.uid, "inbound", outcome, reason)
    log.info("call.ended", outcome=outcome, reason=reason)
    if ctx.outbound is not None and ivr.transfer is not None:
        waited = (ctx.clock() - ivr.transfer_at).total_seconds() if ivr.transfer_at else None
        ctx.outbound.after_inbound_call(
            uniqueid=call.uid,
            number=call.number,
            outcome=outcome,
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


def _fields(ctx: CallContext, ivr: IvrOutcome, ring: QueueResult) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ivr_path": ivr.path,
        "menu_version": ivr.menu_version,
        "business_category": ivr.category,
        "survey_score": ivr.survey_score,  # the menu's survey node: its scale (keys 1-3)
        "survey_source": "ivr" if ivr.survey_score is not None else None,
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
    if ring.survey_score is not None:  # the survey after the agent (keys 1-5) wins
        fields.update(survey_score=ring.survey_score, survey_source="agent")
    if ring.agent_id:
        fields.update(
            agent_extension=ring.agent_extension,
            agent_id=ring.agent_id,
            talk_started_at=ring.talk_started_at,
            talk_s=ring.talk_s,
        )
    return fields
