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
    header_block: bytes | None = None  # sent instead of the default headers (see asterisk_headers)
    silent_after: int | None = None  # stop answering (keep the socket open) after N commands

    async def run(self, *, release: asyncio.Event | None = None) -> None:
        r, w = await asyncio.open_connection("127.0.0.1", self.port)
        w.write(
            self.header_block
            or (
                f"agi_network: yes\nagi_network_script: {self.route}\n"
                f"agi_uniqueid: {self.uniqueid}\nagi_channel: PJSIP/trunk-{self.uniqueid}\n"
                f"agi_callerid: {self.caller.splitlines()[0] if self.caller else ''}\n"
                f"agi_dnid: 95598\nagi_arg_1: {b64(self.caller)}\nagi_arg_2: {b64('')}\n\n"
            ).encode()
        )
        hung_up = False
        while True:
            try:
                line = (await r.readline()).decode()
            except ConnectionResetError:
                break  # the daemon closed the socket with bytes still unread: closed all the same
            if not line:
                break
            cmd = line.rstrip("\n")
            self.received.append(cmd)
            if self.silent_after is not None and len(self.received) > self.silent_after:
                continue  # a peer that has gone quiet: reads, never answers
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


def asterisk_headers(
    *,
    route: str = "inbound",
    uniqueid: str,
    channel: str,
    callerid: str,
    calleridname: str = "",
    dnid: str = "95598",
    args: tuple[str, ...] = (),
) -> bytes:
    """A header block in the order Asterisk 22 writes it (res_agi.c setup_env), with the
    caller-controlled values written raw as Asterisk does."""
    lines = [
        "agi_network: yes",
        f"agi_network_script: {route}",
        f"agi_request: agi://127.0.0.1/{route}",
        f"agi_channel: {channel}",
        "agi_language: en",
        "agi_type: PJSIP",
        f"agi_uniqueid: {uniqueid}",
        "agi_version: 22.0.0",
        f"agi_callerid: {callerid}",
        f"agi_calleridname: {calleridname}",
        "agi_callingpres: 0",
        "agi_callingani2: 0",
        "agi_callington: 0",
        "agi_callingtns: 0",
        f"agi_dnid: {dnid}",
        "agi_rdnis: unknown",
        "agi_context: hotline-inbound",
        "agi_extension: s",
        "agi_priority: 2",
        "agi_enhanced: 0.0",
        "agi_accountcode: ",
        "agi_threadid: 140000000000000",
    ]
    lines += [f"agi_arg_{i}: {a}" for i, a in enumerate(args, 1)]
    return ("\n".join(lines) + "\n\n").encode("utf-8", "surrogateescape")
