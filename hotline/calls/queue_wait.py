"""A caller waits for an agent: music, position announcements, offers under the 4-ring rule.

The ACD core decides who is offered the call; this session carries the offer out with
`Dial PJSIP/<ext>,<12 s>,gA(<whisper>:<座席 prompt>)`: the agent hears the business category
(and an apology reminder when the caller waited past the target), the caller hears
"座席{工号}为您服务". The agent leg is recorded with MixMonitor. When the agent hangs up the
caller is asked for a 1-5 satisfaction key.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

import structlog

from acd import events as ev
from acd.commands import AnnounceLongWait, AnnouncePosition, Offer, ToCall
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.calls.context import CallContext
from ivr.events import TransferToAgent
from ivr.say_zh import say_number

log = structlog.get_logger("queue_wait")
_OFFER_RESULT: dict[str, type[ev.OfferNoAnswer | ev.OfferBusy | ev.OfferUnavailable]] = {
    "NOANSWER": ev.OfferNoAnswer,
    "BUSY": ev.OfferBusy,
    "CHANUNAVAIL": ev.OfferUnavailable,
    "CONGESTION": ev.OfferUnavailable,
}


@dataclass
class QueueResult:
    """Filled in as the wait goes on, so a hang-up at any point leaves a true record. Where the
    caller was when the call ended is the ACD core's to say (its `CallOutcome`)."""

    priority: int | None = None
    agents_rung: int = 0
    ring_time_s: float = 0.0
    agent_id: str | None = None
    agent_extension: str | None = None
    talk_started_at: datetime | None = None
    talk_s: float | None = None
    recording: str | None = None
    message: str | None = None  # a voice message left in the queue
    survey_score: int | None = None


async def wait_for_agent(
    chan: AgiChannel,
    ctx: CallContext,
    transfer: TransferToAgent,
    priority: int,
    joined_at: datetime,
    result: QueueResult,
    placed_by: str | None = None,
) -> None:
    """Returns after the talk and the survey; raises AgiHangup if the caller leaves. However the
    wait ends, the session's end takes the call out of the ACD core (`AcdRuntime.forget`).
    `placed_by`: the agent whose own phone is calling (never offered this call)."""
    inbox = ctx.acd.join(chan.uniqueid, transfer.category, priority, joined_at, placed_by)
    while True:
        try:
            offer = await _hold(chan, ctx, inbox)
        except LeftQueue as left:
            await _leave(chan, ctx, left.choice, result)
            return
        if await _ring(chan, ctx, offer, transfer.category, result):
            break
    if not chan.hung_up:
        await _survey(chan, ctx, result)


class LeftQueue(Exception):
    """The caller chose to leave a message (1) or to be called back (2) while waiting."""

    def __init__(self, choice: str):
        self.choice = choice
        super().__init__(f"caller pressed {choice} in the queue")


async def _hold(chan: AgiChannel, ctx: CallContext, inbox: deque[ToCall]) -> Offer:
    """Music until the ACD core offers the call, with the announcements it asks for
    ("您前面还有N位客户" and the options 1 message / 2 callback; the long-wait reminder). Keys are
    read in one-second slices of WAIT FOR DIGIT while the music plays, so an offer waits at most
    a second (the ring time counts from the Dial, `RingStarted`, not from the offer)."""
    await chan.exec("StartMusicOnHold", "default")
    while not isinstance(todo := _next(inbox), Offer):
        if isinstance(todo, AnnouncePosition):
            key = await _say(
                chan, ctx, ("queue_before", *say_number(todo.ahead), "queue_after", "queue_options")
            )
        elif isinstance(todo, AnnounceLongWait):
            key = await _say(chan, ctx, ("queue_long_wait",))
        else:
            key = await chan.wait_for_digit(1000)
        if key in ("1", "2"):
            await chan.exec("StopMusicOnHold")
            raise LeftQueue(key)
    await chan.exec("StopMusicOnHold")
    return todo


def _next(inbox: deque[ToCall]) -> ToCall | None:
    """The next thing the core asked for; an offer goes before announcements it made stale."""
    if any(isinstance(item, Offer) for item in inbox):
        while not isinstance(inbox[0], Offer):
            inbox.popleft()
    return inbox.popleft() if inbox else None


async def _say(chan: AgiChannel, ctx: CallContext, prompt_ids: tuple[str, ...]) -> str | None:
    """Prompts over the music (stopped and restarted around them); a key stops them."""
    await chan.exec("StopMusicOnHold")
    key = None
    for pid in prompt_ids:
        key = await chan.stream_file(ctx.prompt(pid), "12")
        if key:
            break
    await chan.exec("StartMusicOnHold", "default")
    return key


async def _ring(chan: AgiChannel, ctx: CallContext, offer: Offer, category: str, result: QueueResult) -> bool:
    uid = chan.uniqueid
    result.agents_rung += 1
    if result.recording is None:
        result.recording = f"{ctx.settings.asterisk.recordings_dir.rstrip('/')}/call-{uid}.wav"
        await chan.exec("MixMonitor", result.recording)
    whisper = ctx.prompt(f"whisper_late_{category}" if offer.late else f"whisper_{category}")
    intro = ctx.prompt(f"agent_intro_{offer.agent_id}")
    fed_answer = False

    def answered() -> None:  # AMI: the agent's leg went Up (the talk goes on inside Dial)
        nonlocal fed_answer
        fed_answer = True
        ctx.acd.feed(ev.OfferAnswered(uid, offer.agent_id))

    unwatch = ctx.ami.on_dial_answer(uid, answered) if ctx.ami is not None else (lambda: None)
    started = ctx.clock()
    ctx.acd.feed(ev.RingStarted(uid, offer.agent_id))  # the ring (and its time) starts with the Dial
    try:
        rc = await chan.exec(
            "Dial",
            f"PJSIP/{offer.extension},{round(offer.ring_timeout_s)},gA({whisper}:{intro})",
            timeout=ctx.settings.fastagi.max_call_seconds,
        )
    finally:
        unwatch()
    ended = ctx.clock()
    answer_at = ctx.ami.dial_answered_at(uid) if ctx.ami is not None else None
    if answer_at is None:
        status = await chan.get_variable("DIALSTATUS") or ""
        if status != "ANSWER":
            result.ring_time_s += (ended - started).total_seconds()
            if rc == -1 or status == "CANCEL":
                raise AgiHangup(f"caller hung up while agent {offer.agent_id} rang")
            ctx.acd.feed(_OFFER_RESULT.get(status, ev.OfferUnavailable)(uid, offer.agent_id))
            log.info("acd.offer_failed", agent=offer.agent_id, status=status)
            return False
        if not fed_answer:
            answered()  # no AMI: the answer instant is unknown; the talk counts from the Dial
    # the agent's leg went Up: answered, even if the caller left during the announcement
    _talked(ctx, uid, offer, result, started=started, answer_at=answer_at or started, ended=ended)
    if rc == -1:  # with `g`, -1 should mean the caller left; an agent who hangs up during the
        await _still_there(chan)  # announcement also gives -1, so ask the channel
    return True


def _talked(
    ctx: CallContext,
    uid: str,
    offer: Offer,
    result: QueueResult,
    *,
    started: datetime,
    answer_at: datetime,
    ended: datetime,
) -> None:
    """The answered offer's figures: ring time up to the agent's answer, talk from it."""
    result.talk_started_at = answer_at
    result.ring_time_s += max(0.0, (answer_at - started).total_seconds())
    result.talk_s = round(max(0.0, (ended - answer_at).total_seconds()), 3)
    result.agent_id, result.agent_extension = offer.agent_id, offer.extension
    ctx.acd.feed(ev.CallEnded(uid))


async def _leave(chan: AgiChannel, ctx: CallContext, choice: str, result: QueueResult) -> None:
    """1: record a voice message; 2: book a callback (kept with the caller's place in line)."""
    uid = chan.uniqueid
    position = ctx.acd.position(uid)
    if choice == "1":
        ctx.acd.feed(ev.CallLeft(uid, "message"))
        await chan.stream_file(ctx.prompt("record_message"))
        path = f"{ctx.settings.asterisk.recordings_dir.rstrip('/')}/message-{uid}-q"
        reply = await chan.command(
            "RECORD FILE", path, "wav", "#", 120_000, 0, "BEEP", "s=5", timeout=chan.reply_timeout + 120
        )
        result.message = f"{path}.wav"
        ctx.recorder.event(uid, ctx.clock(), "message_left", {"path": result.message, "position": position})
        if reply.result == -1:
            raise AgiHangup("caller hung up while leaving a message")
        await chan.stream_file(ctx.prompt("record_message_done"))
    else:
        ctx.acd.feed(ev.CallLeft(uid, "callback"))
        ctx.recorder.event(uid, ctx.clock(), "callback_requested", {"position": position})
        await chan.stream_file(ctx.prompt("callback_booked"))


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
        ctx.recorder.event(
            chan.uniqueid, ctx.clock(), "survey", {"score": result.survey_score, "agent_id": result.agent_id}
        )
        await chan.stream_file(ctx.prompt("survey_agent_thanks"))
