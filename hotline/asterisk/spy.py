"""Live supervision over AMI: ring a supervisor's phone and let it hear an agent's call.

One AMI `Originate` (async) rings `PJSIP/<supervisor's extension>`; once the phone answers, its
channel runs the `[hotline-spy]` context (dialplan/50-supervision.conf.j2) at the mode's
extension, where ChanSpy follows the agent's channel with the mode's options. The agent's
extension travels as the channel variable HOTLINE_SPY_EXT; the dialplan filters it to digits
again. Every value of the action comes from the config and is checked here once more (2-8
digits: `config_text.sip_extension`), so no text of a request can add an AMI header or a
ChanSpy argument; AmiClient.action refuses a line break in any header besides.

Whether a request may be placed at all (the agent talking, the phone registered...) is
`acd.supervision`'s decision, taken before this is called.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from acd.supervision import SPY_MODES
from hotline.asterisk.ami import AmiError
from hotline.asterisk.ami_protocol import Fields, Reply
from hotline.asterisk.originate import RESULT_GRACE_S, Originated, outcome_of
from hotline.asterisk.spy_dialplan import SPY_CONTEXT, SPY_VARIABLE
from hotline.config_text import sip_extension

RING_SECONDS = 20  # the supervisor is at the screen that asked for the call


class SpyError(ValueError):
    """A value that must not reach the AMI action (never expected from a checked config)."""


class SpyAmi(Protocol):
    """What live supervision needs of AMI (hotline.asterisk.ami.AmiClient)."""

    connected: asyncio.Event
    registered: set[str]  # endpoints with a live contact

    async def action(self, fields: Fields, *, timeout: float) -> Reply: ...


def spy_action(*, phone: str, agent_extension: str, mode: str) -> dict[str, str | list[str]]:
    """The Originate that rings `phone` and spies on `agent_extension`'s call in `mode`."""
    for what, value in (("supervisor phone", phone), ("agent extension", agent_extension)):
        try:
            sip_extension(value)
        except ValueError:
            raise SpyError(f"refusing to originate: the {what} {value!r} is not 2-8 digits") from None
    if mode not in SPY_MODES:
        raise SpyError(f"refusing to originate: unknown spy mode {mode!r}")
    return {
        "Action": "Originate",
        "Channel": f"PJSIP/{phone}",
        "Context": SPY_CONTEXT,
        "Exten": mode,
        "Priority": "1",
        "Timeout": str(RING_SECONDS * 1000),
        "CallerID": f'"{mode} {agent_extension}" <{agent_extension}>',  # on the phone's display
        "Variable": [f"{SPY_VARIABLE}={agent_extension}"],
        "Async": "true",
    }


async def place_spy(ami: SpyAmi, action: Fields) -> Originated:
    """Send the Originate; "answered" once the supervisor picked up (ChanSpy runs), else why not
    (no_answer, busy, rejected, failed with Asterisk's reason)."""
    try:
        resp = await ami.action(action, timeout=RING_SECONDS + RESULT_GRACE_S)
    except AmiError as exc:
        return Originated("failed", f"AMI: {exc}")
    except TimeoutError:
        return Originated("failed", "no OriginateResponse from Asterisk in time")
    return outcome_of(resp)
