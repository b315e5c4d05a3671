"""One call's FastAGI conversation: typed commands over the socket, hang-up as an exception.

The dialplan runs AGI with `AGISIGHUP=yes`, so Asterisk writes an unsolicited `HANGUP` line
the moment the caller hangs up. The reader tells it apart from command replies: it marks the
channel dead and keeps reading for the reply it was waiting for.

Every command's reply has a deadline. One timer per channel watches it (`_overdue`), not one
per command: a command only writes its deadline down, and the timer, when it fires before the
reply is overdue, moves itself to the pending command's deadline. An overdue reply fails the
read with AgiTimeout. (A command's write never waits: one command is under way at a time and a
command line is far smaller than the transport's buffer.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from hotline.asterisk.fastagi.errors import AgiCommandError, AgiHangup, AgiProtocolError, AgiTimeout
from hotline.asterisk.fastagi.protocol import Reply, command_line, parse_result, parse_status
from hotline.calls.fields import call_uniqueid

T = TypeVar("T")

DEAD_CHANNEL = 511
DTMF_KEYS = "0123456789*#ABCD"  # what a phone can send (A-D exist on real phones too)


class AgiChannel:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        headers: dict[str, str],
        *,
        reply_timeout: float = 60.0,
    ):
        self._reader = reader
        self._writer = writer
        self.headers = headers
        # the call's id: Asterisk's uniqueid made safe for the store (a handler may rename a
        # call whose id is already taken)
        self.uniqueid = call_uniqueid(headers.get("agi_uniqueid", ""))
        self.reply_timeout = reply_timeout  # for every command that does not say otherwise
        self.hung_up = False
        self.abort_reason: str | None = None  # set by whoever cancels the session, for the record
        self._hangup_seen = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._pending: tuple[str, float, float] | None = None  # the command under way: verb, limit, deadline
        self._watch: asyncio.TimerHandle | None = None  # fires at or before the pending deadline

    # -- headers -------------------------------------------------------------------------
    @property
    def channel_uniqueid(self) -> str:
        """Asterisk's uniqueid of the channel, as it sent it (the call's id may differ)."""
        return self.headers.get("agi_uniqueid", "")

    @property
    def route(self) -> str:
        script = self.headers.get("agi_network_script", "")
        return script.split("?", 1)[0].strip("/")

    @property
    def args(self) -> list[str]:
        out = []
        i = 1
        while f"agi_arg_{i}" in self.headers:
            out.append(self.headers[f"agi_arg_{i}"])
            i += 1
        return out

    # -- wire ----------------------------------------------------------------------------
    async def _readline(self) -> bytes:
        try:
            line = await self._reader.readuntil(b"\n")
        except asyncio.IncompleteReadError:
            self._mark_hangup()
            raise AgiHangup("Asterisk closed the AGI socket") from None
        except asyncio.LimitOverrunError:
            raise AgiProtocolError("AGI reply line longer than the reader limit") from None
        except ConnectionError as exc:
            self._mark_hangup()
            raise AgiHangup(f"AGI socket error: {exc}") from None
        return line

    def _mark_hangup(self) -> None:
        self.hung_up = True
        self._hangup_seen.set()

    async def _reply(self, verb: str) -> Reply:
        while True:
            line = await self._readline()
            if line.rstrip(b"\r\n") == b"HANGUP":
                self._mark_hangup()
                continue
            code, more, rest = parse_status(line)
            while more:  # 520-Invalid command syntax ... 520 End of proper usage.
                code2, more, _ = parse_status(await self._readline())
                if code2 != code:
                    raise AgiProtocolError(f"multi-line reply {code} ended by {code2}")
            if code == 200:
                result, data, extra = parse_result(rest)
                return Reply(code, result, data, extra)
            if code == DEAD_CHANNEL:
                self._mark_hangup()
                raise AgiHangup(f"{verb}: channel is dead ({rest})")
            raise AgiCommandError(verb, code, rest)

    async def command(self, verb: str, *args: object, timeout: float | None = None) -> Reply:
        """Send one command (arguments quoted) and return its parsed 200 reply.

        A reply that does not come within `timeout` seconds (default `reply_timeout`) raises
        AgiTimeout: a silent peer must not hold a line forever. Commands that legitimately
        last long (Dial: ringing and the whole conversation) pass their own bound."""
        line = command_line(verb, *args)
        limit = self.reply_timeout if timeout is None else timeout
        deadline = self._loop.time() + limit
        self._pending = (verb, limit, deadline)
        if self._watch is None or self._watch.when() > deadline:
            self._arm(deadline)
        try:
            self._writer.write(line)
            try:
                await self._writer.drain()
            except ConnectionError as exc:
                self._mark_hangup()
                raise AgiHangup(f"{verb}: cannot write to Asterisk: {exc}") from None
            return await self._reply(verb)
        finally:
            self._pending = None

    def _arm(self, when: float) -> None:
        if self._watch is not None:
            self._watch.cancel()
        self._watch = self._loop.call_at(when, self._overdue)

    def _overdue(self) -> None:
        """The watch timer: fail the read of a reply past its deadline, else wait for the
        pending command's deadline (none pending: stop until the next command arms it)."""
        self._watch = None
        if self._pending is None:
            return
        verb, limit, deadline = self._pending
        if self._loop.time() < deadline:
            self._arm(deadline)
            return
        self._reader.set_exception(AgiTimeout(f"{verb}: no reply from Asterisk within {limit:g} s"))

    async def _checked(self, verb: str, *args: object, timeout: float | None = None) -> Reply:
        reply = await self.command(verb, *args, timeout=timeout)
        if reply.result == -1:
            # -1 from a channel command means the channel went away while it ran
            self._mark_hangup()
            raise AgiHangup(f"{verb}: result=-1 (caller hung up)")
        return reply

    # -- commands --------------------------------------------------------------------------
    async def answer(self) -> None:
        await self._checked("ANSWER")

    async def stream_file(self, path: str, escape_digits: str = "") -> str | None:
        """Play `path` (no extension); returns the key that interrupted it, if any."""
        return _key(await self._checked("STREAM FILE", path, escape_digits), escape_digits)

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        """A key within `timeout_ms` (any DTMF key, A-D included), or None."""
        reply = await self._checked(
            "WAIT FOR DIGIT", int(timeout_ms), timeout=self.reply_timeout + timeout_ms / 1000
        )
        return _key(reply, DTMF_KEYS)

    async def get_variable(self, name: str) -> str | None:
        reply = await self.command("GET VARIABLE", name)
        return reply.data if reply.result == 1 else None

    async def set_variable(self, name: str, value: object) -> None:
        await self.command("SET VARIABLE", name, value)

    async def verbose(self, message: str, level: int = 3) -> None:
        await self.command("VERBOSE", message, level)

    async def exec(self, app: str, args: str = "", *, timeout: float | None = None) -> int:
        """Run a dialplan application; returns its raw result (Dial with `g`: -1 = caller left).
        `timeout`: how long the application may run (default: `reply_timeout`)."""
        fields = (app, args) if args else (app,)
        return (await self.command("EXEC", *fields, timeout=timeout)).result

    async def channel_status(self) -> int:
        return (await self.command("CHANNEL STATUS")).result

    async def hangup(self) -> None:
        if self.hung_up:
            return
        try:
            await self.command("HANGUP")
        except AgiHangup:
            pass  # already gone: the goal of the command is reached
        self._mark_hangup()

    async def until_hangup_or(self, awaitable: Awaitable[T], timeout: float | None = None) -> T:
        """Wait for `awaitable` while watching the socket for the caller's HANGUP.

        Raises AgiHangup if the caller leaves first, TimeoutError on `timeout`.
        """
        if self.hung_up:
            raise AgiHangup("caller already hung up")
        work = asyncio.ensure_future(awaitable)
        watch = asyncio.ensure_future(self._watch_hangup())
        try:
            done, _ = await asyncio.wait({work, watch}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if work in done:
                return work.result()
            if watch in done:
                watch.result()  # re-raises AgiHangup / AgiProtocolError
            raise TimeoutError(f"nothing happened within {timeout} s")
        finally:
            for task in (work, watch):
                if not task.done():
                    task.cancel()
            await asyncio.gather(work, watch, return_exceptions=True)

    async def _watch_hangup(self) -> None:
        """Read what Asterisk sends while no command is pending: only HANGUP or EOF is legal."""
        line = await self._readline()
        if line.rstrip(b"\r\n") == b"HANGUP":
            self._mark_hangup()
            raise AgiHangup("caller hung up while waiting")
        raise AgiProtocolError(f"unsolicited data from Asterisk: {line[:80]!r}")

    def release(self) -> None:
        """Stop the reply deadline's timer (the session is over; the server calls this)."""
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    async def close(self) -> None:
        self.release()
        self._writer.close()
        try:
            await self._writer.wait_closed()
        except ConnectionError:
            pass  # peer already reset the socket; it is closed either way


def _key(reply: Reply, allowed: str) -> str | None:
    """The key a STREAM FILE / WAIT FOR DIGIT reply reports (its ASCII code), or None.

    A result that is no DTMF key, or one the command was not told to accept, is not the AGI
    protocol: AgiProtocolError, never a crash in the call flow."""
    if reply.result <= 0:
        return None
    key = chr(reply.result) if reply.result < 128 else ""
    if not key or key not in DTMF_KEYS or key not in allowed:
        raise AgiProtocolError(f"result={reply.result} is not a key this command could return")
    return key
