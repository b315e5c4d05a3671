"""Prometheus metrics on `GET /metrics`, from the daemon's own event loop.

Every update is a plain method call (a counter increment or a gauge set: microseconds), safe to
make from any coroutine. The exposition is served by a tiny HTTP/1.0 handler on
`asyncio.start_server` rather than prometheus_client's `start_http_server` thread: it lives and
stops with the daemon's TaskGroup like the FastAGI server, binds port 0 in tests, and every read
of daemon state (the `on_scrape` hooks) happens on the loop that owns that state - no locks, no
thread reading half-updated dicts. A scrape costs well under a millisecond of loop time.

Metrics use their own `CollectorRegistry` (never the process-global one), so tests and several
daemons in one process do not collide. Names (all prefixed `hotline_`):

    hotline_calls_total{outcome,direction}        counter  calls ended, by final outcome
    hotline_agi_errors_total                      counter  FastAGI sessions that failed
    hotline_ami_errors_total                      counter  AMI errors (login failures, failed actions)
    hotline_ami_reconnects_total                  counter  AMI connection losses / retries
    hotline_mqtt_dropped_total                    counter  events the bus dropped (queue full)
    hotline_lines_audited_total                   counter  lines freed by the line audit (a leak)
    hotline_sip_auth_failures_total{kind}         counter  failed SIP logins Asterisk reported, by event
    hotline_sip_blocks_total                      counter  addresses blocked for password guessing
    hotline_sip_blocked_addresses                 gauge    addresses blocked now
    hotline_dial_refused_total{source}            counter  numbers refused by outbound.dial_patterns
                                                           (agent = 9 + number, dialer = a job)
    hotline_waiting_calls                         gauge    callers waiting for an agent
    hotline_agents{state}                         gauge    agents per ACD state
    hotline_trunk_lines_in_use{direction}         gauge    lines busy
    hotline_trunk_lines{direction}                gauge    lines configured (occupancy = in_use / lines)
    hotline_calls_in_progress                     gauge    calls holding a line
    hotline_store_backlog                         gauge    unwritten call records (in memory and spill file)
    hotline_store_up                              gauge    1 while store writes succeed, 0 during an outage
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import choose_encoder

from acd.rules import AGENT_STATES
from hotline.asterisk.security_events import AUTH_FAILURE_EVENTS
from hotline.store.models import DIRECTIONS, OUTCOMES

log = structlog.get_logger("metrics")
DIAL_SOURCES = ("agent", "dialer")

MAX_REQUEST_BYTES = 8192
REQUEST_TIMEOUT_S = 5.0


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._define_counters(self.registry)
        self._define_gauges(self.registry)
        self._store_up.set(1)
        # every series exists from the start (at 0), so rate() and dashboards work before the first call
        for outcome in OUTCOMES:
            for direction in DIRECTIONS:
                self._calls.labels(outcome=outcome, direction=direction)
        for state in AGENT_STATES:
            self._agents.labels(state=state)
        for direction in DIRECTIONS:
            self._lines_in_use.labels(direction=direction)
            self._lines.labels(direction=direction)
        for kind in AUTH_FAILURE_EVENTS:
            self._sip_failures.labels(kind=kind)
        for source in DIAL_SOURCES:
            self._dial_refused.labels(source=source)
        self._hooks: list[Callable[[], None]] = []
        self._server: asyncio.Server | None = None
        self.port: int | None = None

    def _define_counters(self, r: CollectorRegistry) -> None:
        self._calls = Counter(
            "hotline_calls",
            "Calls ended, by final outcome and direction",
            ["outcome", "direction"],
            registry=r,
        )
        self._agi_errors = Counter("hotline_agi_errors", "FastAGI sessions that failed", registry=r)
        self._ami_errors = Counter(
            "hotline_ami_errors", "AMI errors (login failures, failed actions)", registry=r
        )
        self._ami_reconnects = Counter(
            "hotline_ami_reconnects", "AMI connection losses and retries", registry=r
        )
        self._mqtt_dropped = Counter(
            "hotline_mqtt_dropped",
            "Live events dropped because the MQTT queue was full (broker missing too long)",
            registry=r,
        )
        self._lines_audited = Counter(
            "hotline_lines_audited",
            "Lines freed because their channel was gone in Asterisk (line audit): each one a leak",
            registry=r,
        )
        self._sip_failures = Counter(
            "hotline_sip_auth_failures", "Failed SIP logins Asterisk reported, by event", ["kind"], registry=r
        )
        self._sip_blocks = Counter(
            "hotline_sip_blocks", "Addresses blocked after repeated failed SIP logins", registry=r
        )
        self._dial_refused = Counter(
            "hotline_dial_refused",
            "Numbers refused by outbound.dial_patterns: agent = 9 + number, dialer = a job request",
            ["source"],
            registry=r,
        )

    def _define_gauges(self, r: CollectorRegistry) -> None:
        self._waiting = Gauge("hotline_waiting_calls", "Callers waiting for an agent", registry=r)
        self._agents = Gauge("hotline_agents", "Agents by ACD state", ["state"], registry=r)
        self._lines_in_use = Gauge(
            "hotline_trunk_lines_in_use", "Trunk lines busy", ["direction"], registry=r
        )
        self._lines = Gauge("hotline_trunk_lines", "Trunk lines configured", ["direction"], registry=r)
        self._in_progress = Gauge("hotline_calls_in_progress", "Calls holding a trunk line", registry=r)
        self._store_backlog = Gauge(
            "hotline_store_backlog",
            "Call records waiting for the database (in memory and in the spill file)",
            registry=r,
        )
        self._sip_blocked = Gauge(
            "hotline_sip_blocked_addresses", "Addresses refused now for password guessing", registry=r
        )
        self._store_up = Gauge(
            "hotline_store_up",
            "1 while the call store's writes succeed, 0 while the database is unreachable",
            registry=r,
        )
        self._loop_lag = Gauge(
            "hotline_event_loop_lag_seconds",
            "How late the event loop's last pulse timer fired (a blocked loop delays every call)",
            registry=r,
        )

    # -- updates (cheap, from the event loop) --------------------------------------------------
    def call_ended(self, outcome: str, direction: str) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown call outcome {outcome!r}; known: {', '.join(OUTCOMES)}")
        if direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {direction!r}; known: {', '.join(DIRECTIONS)}")
        self._calls.labels(outcome=outcome, direction=direction).inc()

    def agi_error(self) -> None:
        self._agi_errors.inc()

    def ami_error(self) -> None:
        self._ami_errors.inc()

    def ami_reconnect(self) -> None:
        self._ami_reconnects.inc()

    def line_audited(self) -> None:
        self._lines_audited.inc()

    def sip_auth_failed(self, kind: str) -> None:
        if kind not in AUTH_FAILURE_EVENTS:
            raise ValueError(f"unknown SIP failure {kind!r}; known: {', '.join(AUTH_FAILURE_EVENTS)}")
        self._sip_failures.labels(kind=kind).inc()

    def sip_blocked(self, blocked_now: int) -> None:
        """An address was blocked; `blocked_now` are blocked in all."""
        self._sip_blocks.inc()
        self._sip_blocked.set(blocked_now)

    def set_sip_blocked(self, n: int) -> None:
        self._sip_blocked.set(n)

    def dial_refused(self, source: str) -> None:
        if source not in DIAL_SOURCES:
            raise ValueError(f"unknown dial source {source!r}; known: {', '.join(DIAL_SOURCES)}")
        self._dial_refused.labels(source=source).inc()

    def mqtt_dropped(self, n: int = 1) -> None:
        self._mqtt_dropped.inc(n)

    def set_loop_lag(self, seconds: float) -> None:
        self._loop_lag.set(seconds)

    def set_waiting(self, n: int) -> None:
        self._waiting.set(n)

    def set_calls_in_progress(self, n: int) -> None:
        self._in_progress.set(n)

    def set_agents(self, counts: Mapping[str, int]) -> None:
        """Agents per state; states left out are 0 (so a state that empties drops to 0)."""
        unknown = set(counts) - set(AGENT_STATES)
        if unknown:
            raise ValueError(f"unknown agent states {sorted(unknown)}; known: {', '.join(AGENT_STATES)}")
        for state in AGENT_STATES:
            self._agents.labels(state=state).set(counts.get(state, 0))

    def set_trunks(self, inbound: int, outbound: int) -> None:
        """Lines in use per direction."""
        self._lines_in_use.labels(direction="inbound").set(inbound)
        self._lines_in_use.labels(direction="outbound").set(outbound)

    def set_trunk_capacity(self, inbound: int, outbound: int) -> None:
        """Lines configured per direction (set once at start)."""
        self._lines.labels(direction="inbound").set(inbound)
        self._lines.labels(direction="outbound").set(outbound)

    def set_store(self, backlog: int, reachable: bool) -> None:
        self._store_backlog.set(backlog)
        self._store_up.set(1 if reachable else 0)

    def watch_store(self, backlog: Callable[[], int], reachable: Callable[[], bool]) -> None:
        """Sample the call store at each scrape (e.g. `lambda: recorder.backlog`)."""
        self.on_scrape(lambda: self.set_store(backlog(), reachable()))

    def on_scrape(self, hook: Callable[[], None]) -> None:
        """Run `hook()` on the loop right before each scrape, e.g. to sample gauges from state."""
        self._hooks.append(hook)

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """(body, content type) in the format the scraper's Accept header asks for (default:
        the classic text format 0.0.4; OpenMetrics if asked), after running the on_scrape hooks."""
        for hook in self._hooks:
            try:
                hook()
            except Exception:  # a hook's bug: logged with its traceback, the scrape still answers
                log.exception("metrics.hook_failed", hook=getattr(hook, "__qualname__", repr(hook)))
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type

    # -- the HTTP endpoint ---------------------------------------------------------------------
    async def serve(self, host: str, port: int) -> int:
        """Listen on host:port (0 = any free port); returns the bound port."""
        if self._server is not None:
            raise RuntimeError(f"metrics are already served on port {self.port}")
        self._server = await asyncio.start_server(
            self._on_connect, host, port, limit=MAX_REQUEST_BYTES, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("metrics.listening", host=host, port=self.port, path="/metrics")
        return self.port

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, body, ctype, head_only = await self._answer(reader)
            head = (
                f"HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode("ascii")
            writer.write(head if head_only else head + body)
            await writer.drain()
        except ConnectionError as exc:
            log.debug("metrics.client_gone", reason=str(exc))
        finally:
            writer.close()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[str, bytes, str, bool]:
        text = "text/plain; charset=utf-8"
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):
                block = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return "400 Bad Request", b"incomplete request\n", text, False
        except asyncio.LimitOverrunError:
            return "431 Request Header Fields Too Large", b"request head too large\n", text, False
        except TimeoutError:
            return "408 Request Timeout", b"no request within the timeout\n", text, False
        request_line, *header_lines = block.decode("latin-1").split("\r\n")
        parts = request_line.split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return "400 Bad Request", b"not an HTTP request line\n", text, False
        method, target = parts[0], parts[1].split("?", 1)[0]
        if target != "/metrics":
            return "404 Not Found", b"metrics are at /metrics\n", text, method == "HEAD"
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", b"use GET\n", text, False
        accept = next(
            (line.split(":", 1)[1].strip() for line in header_lines if line.lower().startswith("accept:")), ""
        )
        body, content_type = self.exposition(accept)
        return "200 OK", body, content_type, method == "HEAD"
