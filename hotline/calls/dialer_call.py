"""What an answered dialer call hears (FastAGI script `dialer`, args: job id, attempt).

- followup: the purpose of the call, then 满意1 / 基本满意2 / 不满意3; the key is the result.
- outage_notice: date, time and area of the planned outage, then 确认收到请按1 (2 = hear it again).
- callback: the customer joins the agents' queue with the priority the original call had.
The answered call is a `calls` row too (direction outbound, outcome answered), with the agent
fields for a callback. A call whose try the dialer no longer holds is hung up unrecorded; bad
arguments, or a daemon that runs no dialer, are errors (the FastAGI server logs them, the
dialplan hangs up when the AGI ends).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from acd.dialer import Job
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.calls.context import CallContext
from hotline.calls.queue_wait import QueueResult, wait_for_agent
from hotline.selfservice.lookup import notice_when
from ivr.events import PlayItem, Say, TransferToAgent
from ivr.say_zh import render_items

ASKS = 3  # a question is asked at most this often when no valid key comes
KEY_WAIT_MS = 6000  # after the question, before asking again
_JOB_ID = re.compile(r"[0-9a-f]{32}")
SATISFACTION_KEYS = "123"


async def handle_dialer_call(chan: AgiChannel, ctx: CallContext) -> None:
    job_id, attempt = _job_and_attempt(chan.args)
    dialer = ctx.outbound
    if dialer is None:  # raised like bad arguments: logged by the server, Asterisk hangs up
        raise RuntimeError(
            f"dialer call for job {job_id} attempt {attempt} reached a daemon without a dialer"
        )
    job = dialer.call_answered(job_id, attempt, chan.uniqueid)
    if job is None:  # the try was already given up (e.g. no originate result in time)
        await chan.hangup()
        return
    started = ctx.clock()
    ctx.recorder.call_started(
        chan.uniqueid,
        direction="outbound",
        started_at=started,
        caller_number=ctx.settings.outbound.caller_id,
        caller_name="",
        dnid=job.number,
        trunk="outbound",
    )
    ctx.bus.call_started(chan.uniqueid, "outbound", caller=ctx.settings.outbound.caller_id, dnid=job.number)
    key: str | None = None
    queue = QueueResult()
    try:
        key = await _say(chan, ctx, job, queue)
        if job.purpose != "callback":
            await chan.stream_file(ctx.prompt("dialer_thanks"))
        await chan.hangup()
    except AgiHangup:
        pass  # the customer hung up; what was pressed before stands
    finally:
        if job.purpose == "callback":
            ctx.acd.forget(chan.uniqueid)
        ctx.recorder.call_ended(
            chan.uniqueid,
            ended_at=ctx.clock(),
            outcome="answered",
            answered_at=started,
            **_queue_fields(job.purpose, queue),
        )
        ctx.call_ended(chan.uniqueid, "outbound", "answered", None)
        dialer.call_finished(job_id, attempt, key)


def _job_and_attempt(args: list[str]) -> tuple[str, int]:
    if len(args) != 2 or not _JOB_ID.fullmatch(args[0]) or not args[1].isdigit():
        raise ValueError(f"dialer call needs a job id and an attempt number, got {args!r}")
    return args[0], int(args[1])


async def _say(chan: AgiChannel, ctx: CallContext, job: Job, queue: QueueResult) -> str | None:
    """What the job's purpose says (see the module's doc); the key pressed, if any."""
    if job.purpose == "followup":
        kind = job.payload.get("kind", "repair")
        items = ("dialer_followup_intro", f"dialer_kind_{kind}", "dialer_followup_ask")
        return await ask(chan, ctx, items, SATISFACTION_KEYS)
    if job.purpose == "outage_notice":
        return await ask(chan, ctx, notice_items(job.payload), "1", repeat_key="2")
    await _callback(chan, ctx, job, queue)
    return None


def notice_items(payload: dict[str, str]) -> tuple[PlayItem, ...]:
    """您好…停电时间为 <date> <time> 至 <time>, 停电地区编码为 <digits>, 确认收到请按1,重听请按2."""
    starts, ends = (datetime.fromisoformat(payload[k]) for k in ("starts_at", "ends_at"))
    return (
        "dialer_notice_intro",
        *notice_when(starts, ends),
        "dialer_notice_area",
        Say("digits", payload["area_code"]),
        "dialer_notice_confirm",
    )


async def ask(
    chan: AgiChannel, ctx: CallContext, items: tuple[PlayItem, ...], valid: str, repeat_key: str = ""
) -> str | None:
    """Play `items` (a key interrupts), wait for one of `valid`; ask again up to ASKS times.
    `repeat_key` plays it again without counting as an answer."""
    escape = valid + repeat_key
    for _ in range(ASKS):
        key = None
        for prompt_id in render_items(items):
            key = await chan.stream_file(ctx.prompt(prompt_id), escape)
            if key:
                break
        if key is None:
            key = await chan.wait_for_digit(KEY_WAIT_MS)
        if key is not None and key in valid:
            ctx.recorder.event(chan.uniqueid, ctx.clock(), "dialer_key", {"key": key})
            return key
        if key is not None and key not in repeat_key:
            await chan.stream_file(ctx.prompt("invalid_input"))
    return None


async def _callback(chan: AgiChannel, ctx: CallContext, job: Job, queue: QueueResult) -> None:
    await chan.stream_file(ctx.prompt("dialer_callback_intro"))
    category = job.payload.get("category") or "other"
    transfer = TransferToAgent(category=category, priority=job.priority, from_node="callback", reason="route")
    queue.priority = job.priority
    await wait_for_agent(chan, ctx, transfer, job.priority, ctx.clock(), queue)


def _queue_fields(purpose: str, queue: QueueResult) -> dict[str, Any]:
    if purpose != "callback":
        return {}
    return dict(
        priority=queue.priority or 0,
        agents_rung=queue.agents_rung,
        ring_time_s=round(queue.ring_time_s, 3),
        agent_id=queue.agent_id,
        agent_extension=queue.agent_extension,
        talk_started_at=queue.talk_started_at,
        talk_s=queue.talk_s,
        recording_path=queue.recording,
        survey_score=queue.survey_score,
        survey_source="agent" if queue.survey_score is not None else None,
    )
