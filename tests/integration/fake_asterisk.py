"""A scripted 'Asterisk' end of a FastAGI connection, for daemon tests without the lab."""
from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field


def b64(s: str) -> str:
    return base64.b64encode(b"v" + s.encode()).decode()


@dataclass
class FakeCall:
    """Answers every command with `200 result=0` unless `replies` says otherwise."""

    port: int
    uniqueid: str
    caller: str = "13800138000"
    route: str = "inbound"
    replies: dict[str, bytes] = field(default_factory=dict)  # command prefix -> reply line(s)
    hang_up_on: str | None = None  # command prefix at which the caller hangs up
    received: list[str] = field(default_factory=list)

    async def run(self, *, release: asyncio.Event | None = None) -> None:
        r, w = await asyncio.open_connection("127.0.0.1", self.port)
        w.write((f"agi_network: yes\nagi_network_script: {self.route}\n"
                 f"agi_uniqueid: {self.uniqueid}\nagi_channel: PJSIP/trunk-{self.uniqueid}\n"
                 f"agi_callerid: {self.caller.splitlines()[0] if self.caller else ''}\n"
                 f"agi_dnid: 95598\nagi_arg_1: {b64(self.caller)}\nagi_arg_2: {b64('')}\n\n").encode())
        hung_up = False
        while True:
            line = (await r.readline()).decode()
            if not line:
                break
            cmd = line.rstrip("\n")
            self.received.append(cmd)
            if hung_up:
                w.write(b"511 Command Not Permitted on a dead channel or intercept routine\n")
                continue
            if self.hang_up_on and cmd.startswith(self.hang_up_on):
                if release is not None:
                    await release.wait()
                w.write(b"HANGUP\n200 result=-1 endpos=1000\n")
                hung_up = True
                continue
            reply = next((v for k, v in self.replies.items() if cmd.startswith(k)), b"200 result=0\n")
            w.write(reply)
        w.close()
