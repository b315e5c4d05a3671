"""An agent dials out (9 + number) on one of the outbound lines; the line cap holds for it too.

Only numbers of `outbound.dial_patterns` go out. The dialplan sends the others here with the
mark `refused` (its `_9X.`, which never dials: it plays Congestion itself); the number of any
other request is checked again against the same policy, so a dialplan rendered from other
patterns, or text smuggled into the arguments, still dials nothing. Each refusal is logged,
counted and published (hotline.observability.dial_refusals) and gets no call row: no line was
taken.

The line is seized before the Dial and released in the same `finally` that records the call,
whatever ends it.
"""

from __future__ import annotations

from typing import Any

from acd.dial_policy import DialRefusal
from acd.trunks import Refuse, Release, Seize
from hotline.asterisk.config_render import outbound_dial_string
from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiError, AgiHangup
from hotline.calls.context import CallContext
from hotline.calls.fields import claim_call_id, endpoint_of, store_text

REFUSED_MARK = "refused"  # the last argument from the dialplan's `_9X.`
_RESULT = {
    "ANSWER": "answered",
    "BUSY": "busy",
    "NOANSWER": "no_answer",
    "CANCEL": "cancelled",
    "CONGESTION": "failed",
    "CHANUNAVAIL": "failed",
}


async def handle_agent_dialout(chan: AgiChannel, ctx: CallContext) -> None:
    number = chan.args[0] if chan.args else ""
    # the agent is the endpoint that placed the call, from the channel Asterisk names
    agent_ext = endpoint_of(chan.headers.get("agi_channel", ""))
    now = ctx.clock()
    await chan.set_variable("HOTLINE_DONE", "1")
    if await _refused(chan, ctx, agent_ext):
        return
    claim_call_id(chan, ctx.recorder)
    uid = chan.uniqueid
    common: dict[str, Any] = dict(
        direction="outbound",
        caller_number=store_text(agent_ext, "caller_number"),
        caller_name="",
        dnid=number,
        trunk="outbound",
    )
    (decision,) = ctx.trunks.handle(Seize(uid, "outbound"), now)
    if isinstance(decision, Refuse):
        ctx.recorder.call_blocked(uid, started_at=now, failure_reason=decision.reason, **common)
        ctx.call_ended(uid, "outbound", "blocked", decision.reason)
        await chan.exec("Congestion", "5")
        return
    outcome, reason = "failed", None
    fields: dict[str, Any] = {}
    try:
        ctx.recorder.call_started(uid, started_at=now, **common)
        ctx.bus.call_started(uid, "outbound", caller=agent_ext, dnid=number, lines_in_use=decision.in_use)
        outcome, reason, fields = await _dial(chan, ctx, number, agent_ext)
        await chan.hangup()
    except AgiHangup:
        pass  # the agent hung up; the outcome from DIALSTATUS (or 'failed' before it) stands
    except AgiError as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        ctx.trunks.handle(Release(uid), ctx.clock())
        reason = reason or (chan.abort_reason if outcome == "failed" else None)
        ctx.recorder.call_ended(uid, ended_at=ctx.clock(), outcome=outcome, failure_reason=reason, **fields)
        ctx.call_ended(uid, "outbound", outcome, reason)


def _dialled(args: list[str]) -> tuple[str, bool]:
    """(what the agent dialled after the 9, whether the dialplan marked it refused). Behind `_9X.`
    the text may hold commas, which Asterisk splits into more arguments: joined back here."""
    if len(args) > 1 and args[-1] == REFUSED_MARK:
        return ",".join(args[:-1]), True
    return ",".join(args), False


async def _refused(chan: AgiChannel, ctx: CallContext, agent_ext: str) -> bool:
    """Report a number the policy or the dialplan refuses (Congestion unless the dialplan plays
    it); False for an allowed number."""
    number, marked = _dialled(chan.args)
    refusal = ctx.settings.outbound.dial_policy.check(number)
    if refusal is None and not marked:
        return False
    if refusal is None:  # the dialplan refused what the daemon's patterns allow
        refusal = DialRefusal(
            number,
            "not_allowed",
            "refused by the dialplan: render the Asterisk config from this config again",
        )
    ctx.refusals.report("agent", refusal, by=agent_ext)
    if not marked:
        await chan.exec("Congestion", "5")
    return True


async def _dial(
    chan: AgiChannel, ctx: CallContext, number: str, agent_ext: str
) -> tuple[str, str | None, dict[str, Any]]:
    """Dial the number on an outbound line; (outcome, failure reason, fields for the row)."""
    fields: dict[str, Any] = {}
    agent = ctx.settings.agent_by_extension(agent_ext)
    if agent:
        fields.update(agent_id=agent.id, agent_extension=agent.extension)
    await chan.exec(
        "Dial",
        f"{outbound_dial_string(ctx.settings, number)},60,g",
        timeout=ctx.settings.fastagi.max_call_seconds,
    )
    status = await chan.get_variable("DIALSTATUS") or ""
    outcome = _RESULT.get(status, "failed")
    reason = f"DIALSTATUS={status}" if outcome == "failed" else None
    if status == "ANSWER":
        talk = await chan.get_variable("ANSWEREDTIME")
        fields["talk_s"] = _seconds(talk)
    return outcome, reason, fields


def _seconds(value: str | None) -> float:
    """ANSWEREDTIME ('12' or '12.345'); anything else counts as 0 (it is Asterisk's, not ours)."""
    try:
        seconds = float(value or 0)
    except ValueError:
        return 0.0
    return seconds if 0 <= seconds < 86400 else 0.0
