"""Why a watched channel hung up, from AMI `Hangup` events.

The dialer watches the customer's channel of each try: PJSIP reports a 486 (busy) or a 603
(declined) to Originate as the same Reason 0, so the channel's Q.850 hang-up cause (17 busy,
19 no answer, 21 rejected...) is what tells them apart.
"""

from __future__ import annotations

import asyncio

from panoramisk.message import Message

from hotline.asterisk.ami_protocol import header


class HangupWatch:
    def __init__(self) -> None:
        self._causes: dict[str, asyncio.Future[str]] = {}  # watched uniqueid -> hang-up cause

    def watch(self, uniqueid: str) -> asyncio.Future[str]:
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._causes[uniqueid] = fut
        return fut

    def unwatch(self, uniqueid: str) -> None:
        self._causes.pop(uniqueid, None)

    def on_hangup(self, event: Message) -> None:
        fut = self._causes.pop(header(event, "Uniqueid"), None)
        if fut is not None and not fut.done():
            fut.set_result(header(event, "Cause"))
