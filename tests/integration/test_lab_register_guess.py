"""The lab's password guesser (lab/register_guess.py + register_guess.xml) against a scripted
registrar on a free lab port, without Asterisk: it sends from 127.0.0.5, answers the challenge
with digest credentials and reports each outcome the e2e test relies on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from lab import ports
from lab.register_guess import register_try


class Registrar(asyncio.DatagramProtocol):
    """Challenges a REGISTER without credentials (401); answers one with credentials `final`."""

    def __init__(self, final: int) -> None:
        self.final = final
        self.sources: list[str] = []
        self.authorizations: list[str] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        head = data.decode("utf-8", "replace").split("\r\n\r\n", 1)[0].split("\r\n")
        headers = {line.split(":", 1)[0].lower(): line for line in head[1:] if ":" in line}
        self.sources.append(addr[0])
        auth = headers.get("authorization")
        if auth is not None:
            self.authorizations.append(auth)
        code = self.final if auth is not None or self.final == 403 else 401
        reason = {200: "OK", 401: "Unauthorized", 403: "Forbidden"}[code]
        lines = [f"SIP/2.0 {code} {reason}"]
        lines += [headers[h] for h in ("via", "from", "call-id", "cseq") if h in headers]
        lines.append(headers["to"] + ";tag=reg1")
        if code == 401:
            lines.append('WWW-Authenticate: Digest realm="asterisk", nonce="1700000000/abc", algorithm=MD5')
        lines.append("Content-Length: 0")
        assert self.transport is not None
        self.transport.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), addr)


@asynccontextmanager
async def registrar(final: int) -> AsyncIterator[tuple[Registrar, str]]:
    block = ports.allocate()  # a lab port, never 5060: that one is the real lab's
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(
        lambda: Registrar(final), local_addr=("127.0.0.1", block.sip)
    )
    try:
        yield proto, f"127.0.0.1:{block.sip}"
    finally:
        transport.close()
        block.release()


@pytest.mark.parametrize("final,outcome", [(401, "refused_password"), (200, "accepted"), (403, "forbidden")])
async def test_each_outcome_from_the_guessers_address(final, outcome):
    async with registrar(final) as (reg, where):
        assert await register_try("1009", "wrong-guess", registrar=where) == outcome
    assert reg.sources and set(reg.sources) == {"127.0.0.5"}
    if final != 403:
        assert len(reg.authorizations) == 1 and 'username="1009"' in reg.authorizations[0]
    else:
        assert reg.authorizations == []  # blocked: refused before any challenge


async def test_only_loopback_sources():
    with pytest.raises(Exception, match="loopback"):
        await register_try("1009", "x", source="192.0.2.1")
