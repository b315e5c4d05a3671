"""A caller waits for an agent: music, position announcements, offers under the 4-ring rule.

The ACD core decides who is offered the call; this session carries the offer out with
`Dial PJSIP/<ext>,<12 s>,gA(<whisper>:<座席 prompt>)`: the agent hears the business category
(and an apology reminder when the caller waited past the target), the caller hears
"座席{工号}为您服务". The agent leg is recorded with MixMonitor. When the agent hangs up the
caller is asked for a 1-5 satisfaction key.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from acd import events as ev
from acd.commands import Offer
from ivr.events import TransferToAgent
from ivr.say_zh import say_number

from .agi.channel import AgiChannel
from .agi.errors import AgiHangup
from .call_context import CallContext

log = structlog.get_logger("agent_queue")
_OFFER_RESULT = {"NOANSWER": ev.OfferNoAnswer, "BUSY": ev.OfferBusy,
                 "CHANUNAVAIL": ev.OfferUnavailable, "CONGESTION": ev.OfferUnavailable}


@dataclass
class QueueResult:
    """Filled in as the wait goes on, so a hang-up at any point leaves a true record."""

    phase: str = "queued"  # queued | ringing | talking | done
    priority: int | None = None
    agents_rung: int = 0
    ring_time_s: float = 0.0
    agent_id: str | None = None
    agent_extension: str | None = None
    talk_started_at: datetime | None = None
    talk_s: float | None = None
    recording: str | None = None
    survey_score: int | None = None


async def wait_for_agent(chan: AgiChannel, ctx: CallContext, transfer: TransferToAgent,
                         priority: int, joined_at: datetime, result: QueueResult) -> None:
    """Returns after the talk and the survey; raises AgiHangup if the caller leaves."""
    uid = chan.uniqueid
    offers = ctx.acd.join(uid, transfer.category, priority, joined_at)
    try:
        while True:
            offer = await _hold(chan, ctx, offers)
            answered = await _ring(chan, ctx, offer, result)
            if answered:
                break
        result.phase = "done"
        if not chan.hung_up:
            await _survey(chan, ctx, result)
    except AgiHangup:
        if result.phase in ("queued", "ringing"):
            ctx.acd.feed(ev.CallLeft(uid, "hangup"))
        raise


async def _hold(chan: AgiChannel, ctx: CallContext, offers) -> Offer:
    """Music until an offer comes; every so often "您前面还有N位客户"."""
    every = ctx.settings.acd.position_announce_seconds
    while True:
        if not offers.empty():
            return offers.get_nowait()
        await chan.exec("StartMusicOnHold", "default")
        try:
            offer = await chan.until_hangup_or(offers.get(), timeout=every)
        except TimeoutError:
            offer = None  # time for the position announcement
        await chan.exec("StopMusicOnHold")
        if offer is not None:
            return offer
        ahead = ctx.acd.core.position(chan.uniqueid) - 1
        if ahead >= 0:
            for pid in ("queue_before", *say_number(ahead), "queue_after"):
                await chan.stream_file(ctx.prompt(pid))


async def _ring(chan: AgiChannel, ctx: CallContext, offer: Offer, result: QueueResult) -> bool:
    uid = chan.uniqueid
    result.phase = "ringing"
    result.agents_rung += 1
    if result.recording is None:
        result.recording = f"{ctx.settings.asterisk.recordings_dir.rstrip('/')}/call-{uid}.wav"
        await chan.exec("MixMonitor", result.recording)
    category = ctx.acd.category_of(uid)
    whisper = ctx.prompt(f"whisper_late_{category}" if offer.late else f"whisper_{category}")
    intro = ctx.prompt(f"agent_intro_{offer.agent_id}")
    fed_answer = False

    def answered() -> None:  # AMI DialEnd ANSWER: the agent picked up (the talk goes on in Dial)
        nonlocal fed_answer
        fed_answer = True
        result.phase = "talking"
        ctx.acd.feed(ev.OfferAnswered(uid, offer.agent_id))

    unwatch = ctx.ami.on_dial_answer(uid, answered) if ctx.ami is not None else (lambda: None)
    started = ctx.clock()
    try:
        rc = await chan.exec("Dial", f"PJSIP/{offer.extension},{round(offer.ring_timeout_s)},"
                                     f"gA({whisper}:{intro})")
    finally:
        unwatch()
    ended = ctx.clock()
    status = await chan.get_variable("DIALSTATUS") or ""
    if status == "ANSWER":
        if not fed_answer:
            answered()  # no AMI: the answer instant is unknown; the talk counts from the Dial
        answer_at = ctx.ami.dial_answered_at(uid) if ctx.ami is not None else None
        result.talk_started_at = answer_at or started
        result.ring_time_s += max(0.0, (result.talk_started_at - started).total_seconds())
        result.talk_s = round(max(0.0, (ended - result.talk_started_at).total_seconds()), 3)
        result.agent_id, result.agent_extension = offer.agent_id, offer.extension
        ctx.acd.feed(ev.CallEnded(uid))
        if rc == -1:  # with `g`, -1 should mean the caller left; an agent who hangs up during the
            await _still_there(chan)  # announcement also gives -1, so ask the channel
        return True
    result.ring_time_s += (ended - started).total_seconds()
    if rc == -1 or status == "CANCEL":
        raise AgiHangup(f"caller hung up while agent {offer.agent_id} rang")
    result.phase = "queued"
    ctx.acd.feed(_OFFER_RESULT.get(status, ev.OfferUnavailable)(uid, offer.agent_id))
    log.info("acd.offer_failed", agent=offer.agent_id, status=status)
    return False


async def _still_there(chan: AgiChannel) -> None:
    try:
        await chan.channel_status()
    except AgiHangup:
        chan.hung_up = True  # gone: no survey


async def _survey(chan: AgiChannel, ctx: CallContext, result: QueueResult) -> None:
    key = await chan.stream_file(ctx.prompt("survey_agent"), "12345")
    if key is None:
        key = await chan.wait_for_digit(8000)
    if key is not None and key in "12345":
        result.survey_score = int(key)
        ctx.recorder.event(chan.uniqueid, ctx.clock(), "survey", {"score": result.survey_score,
                                                                  "agent_id": result.agent_id})
        await chan.stream_file(ctx.prompt("survey_agent_thanks"))
