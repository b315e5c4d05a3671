"""Hardened FastAGI server on `asyncio.start_server`.

Unlike panoramisk's FastAGI handler, a connection that closes before its header block, sends
garbage, or stalls costs one short-lived task: the header is read with a timeout and a size cap,
and every failure ends only that connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiError, AgiHangup, AgiProtocolError
from hotline.asterisk.fastagi.protocol import Headers, parse_header_block

Handler = Callable[[AgiChannel], Awaitable[None]]
log = structlog.get_logger("fastagi")


class FastAgiServer:
    def __init__(
        self,
        routes: dict[str, Handler],
        *,
        host: str,
        port: int,
        header_timeout: float = 5.0,
        max_header_bytes: int = 16384,
        reply_timeout: float = 60.0,
    ):
        self.routes = routes
        self.host, self.port = host, port
        self.header_timeout = header_timeout
        self.max_header_bytes = max_header_bytes
        self.reply_timeout = reply_timeout
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self._channels: dict[asyncio.Task[None], AgiChannel] = {}
        self.rejected = 0  # probes, bad headers, unknown routes (a metric)
        self.injections = 0  # header blocks with caller-controlled lines posing as headers

    @property
    def active(self) -> int:
        return len(self._sessions)

    @property
    def accepting(self) -> bool:
        return self._server is not None and self._server.is_serving()

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(
                self._on_connect, self.host, self.port, limit=self.max_header_bytes, reuse_address=True
            )
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot listen for FastAGI on {self.host}:{self.port}: {exc.strerror}"
            ) from None
        sock = self._server.sockets[0].getsockname()
        self.port = sock[1]
        log.info("fastagi.listening", host=self.host, port=self.port)

    def stop_accepting(self) -> None:
        if self._server is not None:
            self._server.close()

    async def drain(self, deadline: float) -> int:
        """Let running calls finish for `deadline` seconds, then cancel the rest; returns how many."""
        if self._sessions:
            await asyncio.wait(set(self._sessions), timeout=deadline)
        left = list(self._sessions)
        for task in left:
            task.cancel()
        if left:
            await asyncio.gather(*left, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        return len(left)

    def sessions(self) -> dict[str, AgiChannel]:
        """The calls being served now, by their id."""
        return {chan.uniqueid: chan for chan in self._channels.values()}

    def abort(self, uniqueid: str, reason: str) -> bool:
        """End the session of call `uniqueid` (its handler's `finally` records it, with `reason`)."""
        for task, chan in self._channels.items():
            if chan.uniqueid == uniqueid:
                chan.abort_reason = reason
                task.cancel()
                return True
        return False

    async def _read_headers(self, reader: asyncio.StreamReader) -> Headers:
        try:
            async with asyncio.timeout(self.header_timeout):
                block = await reader.readuntil(b"\n\n")
        except asyncio.IncompleteReadError as exc:
            raise AgiHangup(f"connection closed after {len(exc.partial)} header bytes") from None
        except asyncio.LimitOverrunError:
            raise AgiProtocolError(f"AGI header block over {self.max_header_bytes} bytes") from None
        except TimeoutError:
            raise AgiProtocolError(f"no AGI header block within {self.header_timeout} s") from None
        return parse_header_block(block)

    def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Each connection is a session task of the server's own, so `drain` and `abort` can
        cancel it without asyncio's stream callback taking the cancellation for an error."""
        task = asyncio.create_task(self._session(reader, writer), name="fastagi-session")
        self._sessions.add(task)
        task.add_done_callback(self._sessions.discard)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        peer = writer.get_extra_info("peername")
        channel = None
        try:
            try:
                headers = await self._read_headers(reader)
            except (AgiError, ConnectionError) as exc:
                self.rejected += 1
                log.debug("fastagi.rejected", peer=str(peer), reason=str(exc))
                return
            channel = AgiChannel(reader, writer, headers.values, reply_timeout=self.reply_timeout)
            handler = self.routes.get(channel.route)
            with structlog.contextvars.bound_contextvars(uniqueid=channel.uniqueid, route=channel.route):
                if headers.injected:
                    self.injections += 1  # logged as repr: the text never reaches a log line raw
                    log.warning(
                        "fastagi.header_injection", lines=[repr(x)[:120] for x in headers.injected[:5]]
                    )
                if handler is None:
                    self.rejected += 1
                    log.warning("fastagi.unknown_route", known=sorted(self.routes))
                    return
                self._channels[task] = channel
                await self._run(handler, channel)
        finally:
            self._channels.pop(task, None)
            if channel is not None:
                channel.release()
            writer.close()

    async def _run(self, handler: Handler, channel: AgiChannel) -> None:
        try:
            await handler(channel)
        except AgiHangup as exc:
            log.info("fastagi.hangup", reason=str(exc))
        except AgiError as exc:
            log.error("fastagi.session_failed", error=str(exc), error_type=type(exc).__name__)
        except Exception:
            log.exception("fastagi.handler_crashed")
