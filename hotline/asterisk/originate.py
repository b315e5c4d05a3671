"""Placing one dialer call with AMI `Originate` (async) and reading how it went.

Asterisk answers the action at once ("successfully queued") and later sends `OriginateResponse`
with the same ActionID: Response Success once the customer answered (the channel then runs
[hotline-dialer] and reaches the daemon over FastAGI), or Failure with the last control frame seen
as `Reason`: 3 = it rang and nobody answered, 5 = busy, 8 = congestion, 1 = the far end hung up
(declined), 0 = the call could not be placed at all.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal, Protocol

from hotline.asterisk.ami import AmiError
from hotline.asterisk.ami_protocol import Fields, Reply, messages
from hotline.asterisk.config_render import outbound_dial_string
from hotline.settings import Settings

DialResult = Literal["answered", "busy", "no_answer", "rejected", "failed"]
REASONS: dict[str, DialResult] = {
    "1": "rejected",
    "3": "no_answer",
    "5": "busy",
    "8": "failed",
    "0": "failed",
}
# Q.850 causes of the customer's channel (AMI Hangup): PJSIP reports a 486 or 603 as Reason 0,
# so the cause is what tells busy from declined from unreachable.
CAUSES: dict[str, DialResult] = {"17": "busy", "18": "no_answer", "19": "no_answer", "21": "rejected"}
RESULT_GRACE_S = 15.0  # after the ring timeout, for Asterisk to report the outcome
CAUSE_WAIT_S = 2.0  # after a failed OriginateResponse, for the channel's Hangup event


class DialerAmi(Protocol):
    """What the dialer needs of AMI (hotline.asterisk.ami.AmiClient): whether it is up, actions,
    and the hang-up cause of the channels it places."""

    connected: asyncio.Event

    async def action(self, fields: Fields, *, timeout: float) -> Reply: ...
    def watch_hangup(self, uniqueid: str) -> asyncio.Future[str]: ...
    def unwatch_hangup(self, uniqueid: str) -> None: ...


@dataclass(frozen=True)
class Originated:
    result: DialResult
    reason: str | None  # what Asterisk said, for failures


CHANNEL_PREFIX = "dialer-"


def channel_id(job_id: str, attempt: int) -> str:
    """The uniqueid Asterisk gives the customer's channel (and the trunk-capacity call id)."""
    return f"{CHANNEL_PREFIX}{job_id}-{attempt}"


def originate_action(
    settings: Settings, *, number: str, job_id: str, attempt: int
) -> dict[str, str | list[str]]:
    out = settings.outbound
    return {
        "Action": "Originate",
        "Channel": outbound_dial_string(settings, number),
        "Context": "hotline-dialer",
        "Exten": "s",
        "Priority": "1",
        "Timeout": str(int(out.ring_seconds * 1000)),
        "CallerID": f'"{out.caller_id}" <{out.caller_id}>',
        "Variable": [f"HOTLINE_JOB={job_id}", f"HOTLINE_ATTEMPT={attempt}"],
        "ChannelId": channel_id(job_id, attempt),
        "Async": "true",
    }


def outcome_of(response: Reply, cause: str | None = None) -> Originated:
    """Map panoramisk's answer (a list: the queued reply + OriginateResponse) and the channel's
    hang-up cause, if known, to a result."""
    final = messages(response)[-1]
    if final.get("Event") != "OriginateResponse":
        return Originated("failed", f"Originate refused: {final.get('Message') or dict(final)}")
    if final.get("Response") == "Success":
        return Originated("answered", None)
    code = str(final.get("Reason", "0"))
    result = CAUSES.get(cause or "") or REASONS.get(code, "failed")
    if result in ("busy", "no_answer"):
        return Originated(result, None)
    return Originated(result, f"Reason={code}" + (f" cause={cause}" if cause else ""))


async def originate(
    ami: DialerAmi, settings: Settings, *, number: str, job_id: str, attempt: int, hangup: asyncio.Future[str]
) -> Originated:
    """Place the call; `hangup` is `ami.watch_hangup(channel_id(...))`, set up by the caller
    (who also waits on it before freeing the line)."""
    action = originate_action(settings, number=number, job_id=job_id, attempt=attempt)
    try:
        resp = await ami.action(action, timeout=settings.outbound.ring_seconds + RESULT_GRACE_S)
    except AmiError as exc:
        return Originated("failed", f"AMI: {exc}")
    except TimeoutError:
        return Originated("failed", "no OriginateResponse from Asterisk in time")
    placed = outcome_of(resp)
    if placed.result == "answered":
        return placed
    await asyncio.wait({hangup}, timeout=CAUSE_WAIT_S)  # never cancels the future
    return outcome_of(resp, hangup.result() if hangup.done() else None)
