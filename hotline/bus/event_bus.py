"""Live events on MQTT: a publish that never waits for the broker, one background task that does.

`publish()` only serialises the event and appends it to a bounded in-memory queue, so a missing,
slow or dead broker never delays a call. `run()` connects (aiomqtt), sends the queue in order with
QoS 1, forgets events only once the broker confirmed them, reconnects with back-off, publishes a
retained queue snapshot every few seconds and hands validated dispatch outage notices to the
daemon. Topics, under the configured prefix:

    <prefix>/events/<kind>     {"seq": 17, "at": "2025-07-01T08:00:00.123+00:00", "kind": ..., ...data}
    <prefix>/queue             retained snapshot {"at": ..., ...provider's dict}
    <prefix>/status            retained "online" / "offline" (the will, if the daemon vanishes)
    <prefix>/dispatch/outage   inbound: outage notices (see outage_message.py)
    <prefix>/dispatch/service_done   inbound: a service was completed -> follow-up call
                               (see hotline/dialer/service_done.py)
    <prefix>/dispatch/order_closed   inbound: a work order was settled (hotline/orders/order_closed.py)
    <prefix>/dispatch/repair_order   outbound: a new repair order (`publish_dispatch`, QoS 1)

With an inbound handler the bus keeps a persistent MQTT session (fixed client id, clean_session
off), so notices the dispatch side sends with QoS 1 while the daemon is down or reconnecting are
delivered when it comes back. A retained notice's replay (flagged retained, sent by the broker
at every subscribe) is ignored, or each reconnect would add that notice again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import aiomqtt
import structlog

from hotline.bus.connection import BATCH, make_client
from hotline.bus.dispatch import OutageHandler, deliver_outage
from hotline.bus.notifier import Notifier
from hotline.bus.payload import flat_json, snapshot_payload, to_json
from hotline.bus.pending import PendingQueue, confirm
from hotline.clock import utcnow
from hotline.fanout import Fanout
from hotline.settings import Mqtt

log = structlog.get_logger("bus")

# one method each in hotline/bus/notifier.py
EVENT_KINDS: tuple[str, ...] = tuple(
    "call_started ivr_step queued offered answered call_ended agent_state peak_mode dialer_attempt "
    "dialer_job sip_blocked dial_refused".split()
)
RESERVED_KEYS = frozenset({"seq", "at", "kind"})
DISPATCH_OUT: tuple[str, ...] = ("repair_order",)  # <prefix>/dispatch/<name>, sent by publish_dispatch
InboundHandler = Callable[[object, bool], Awaitable[Any]]


class EventBus(Notifier):
    """MQTT event bus; with `cfg=None` every method works and nothing is sent (events still counted)."""

    def __init__(
        self,
        cfg: Mqtt | None,
        *,
        on_outage: OutageHandler | None = None,
        max_queued: int = 10_000,
        snapshot_interval: float = 5.0,
        backoff_min: float = 0.2,
        backoff_max: float = 10.0,
        keepalive: int = 15,
        timeout: float = 10.0,
        on_drop: Callable[[int], None] | None = None,
        client_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        if snapshot_interval <= 0 or backoff_min <= 0 or backoff_max < backoff_min:
            raise ValueError("need snapshot_interval > 0 and 0 < backoff_min <= backoff_max")
        self.cfg = cfg
        self.snapshot_interval = snapshot_interval
        self.backoff_min, self.backoff_max = backoff_min, backoff_max
        self.keepalive, self.timeout = keepalive, timeout
        self._on_outage = on_outage
        self._on_drop = on_drop
        self._clock = clock
        self._queue = PendingQueue(max_queued)
        self._snapshot: Callable[[], Mapping[str, Any]] | None = None
        self._wake = asyncio.Event()  # something was queued (or we are stopping)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[Any] | None = None
        self._drop_warned = False
        prefix = cfg.topic_prefix.rstrip("/") if cfg is not None else ""
        self.client_id = client_id or f"{prefix.replace('/', '-')}-daemon"
        self.topics = {
            "events": f"{prefix}/events",
            "queue": f"{prefix}/queue",
            "status": f"{prefix}/status",
            "dispatch": f"{prefix}/dispatch/outage",
            # in: service_done, order_closed; out: DISPATCH_OUT
            **{n: f"{prefix}/dispatch/{n}" for n in ("service_done", "order_closed", *DISPATCH_OUT)},
        }
        self._inbound: dict[str, InboundHandler] = {}  # topic -> handler (service_done, order_closed)
        self.listeners: Fanout[Mapping[str, Any]] = Fanout("events")  # in-process: every event's body
        # counters (read them for metrics and tests)
        self.seq = 0  # last sequence number handed out
        self.published = 0  # publish() calls
        self.delivered = 0  # events the broker confirmed
        self.connects = 0
        self.connected = False
        self.outages_accepted = 0
        self.outages_rejected = 0

    # -- the daemon's side -------------------------------------------------------------------
    @property
    def dropped(self) -> int:
        return self._queue.dropped

    @property
    def queued(self) -> int:
        return len(self._queue)

    def publish(self, kind: str, data: Mapping[str, Any], *, retain: bool = False) -> int:
        """Queue event `kind` and return its seq. Never blocks, never raises for broker problems.

        Raises ValueError/TypeError only for caller bugs: an unknown kind, data using a reserved
        key (seq, at, kind) or holding something that is not JSON (datetimes become ISO text).
        """
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}; known: {', '.join(EVENT_KINDS)}")
        clash = RESERVED_KEYS.intersection(data)
        if clash:
            raise ValueError(f"event data may not use the reserved keys {sorted(clash)}")
        seq = self.seq + 1
        body = {"seq": seq, "at": self._clock().isoformat(), "kind": kind, **data}
        # encoded for the broker; without one only to refuse what is not JSON (flat data is)
        payload = to_json(body) if self.cfg is not None or not flat_json(data) else b""
        self.seq = seq
        self.published += 1
        self.listeners(body)
        if self.cfg is not None:
            self._enqueue(f"{self.topics['events']}/{kind}", payload, retain, None)
        return seq

    def publish_dispatch(
        self,
        name: str,
        body: Mapping[str, Any],
        *,
        on_confirmed: Callable[[datetime], None] | None = None,
    ) -> bool:
        """Queue `body` for the dispatch side on `<prefix>/dispatch/<name>` (QoS 1, not retained);
        never blocks. `on_confirmed(at)` is called from the bus task once the broker confirmed it
        (PUBACK), and must not block. False without a broker (nothing sent, nor confirmed)."""
        if name not in DISPATCH_OUT:
            raise ValueError(f"unknown dispatch message {name!r}; known: {', '.join(DISPATCH_OUT)}")
        payload = to_json(body)
        if self.cfg is None:
            return False
        self._enqueue(self.topics[name], payload, False, on_confirmed)
        return True

    def _enqueue(
        self, topic: str, payload: bytes, retain: bool, on_confirmed: Callable[[datetime], None] | None
    ) -> None:
        if self._queue.push(topic, payload, retain, on_confirmed):
            if self._on_drop is not None:
                self._on_drop(1)
            if not self._drop_warned:
                self._drop_warned = True
                log.warning(
                    "bus.dropping_oldest", max_queued=self._queue.max_events, connected=self.connected
                )
        self._wake.set()

    def set_snapshot_provider(self, provider: Callable[[], Mapping[str, Any]]) -> None:
        """`provider()` -> dict, published retained on `<prefix>/queue` every snapshot_interval."""
        self._snapshot = provider

    def set_service_done_handler(self, handler: InboundHandler) -> None:
        """`await handler(payload, retained)` for each message on `<prefix>/dispatch/service_done`
        (it validates, logs and drops bad messages itself); set before `run()`."""
        self._inbound[self.topics["service_done"]] = handler

    def set_order_closed_handler(self, handler: InboundHandler) -> None:
        """The same for `<prefix>/dispatch/order_closed` (a work order settled by dispatch)."""
        self._inbound[self.topics["order_closed"]] = handler

    async def run(self) -> None:
        """The background task: connect, send, receive, reconnect; returns after close()."""
        self._task = asyncio.current_task()
        cfg = self.cfg
        if cfg is None:
            await self._stopping.wait()
            return
        delay = self.backoff_min
        while not self._stopping.is_set():
            problem: str | None = None
            connects = self.connects
            try:
                async with self._client(cfg) as client:
                    await self._session(client, cfg)
            except* aiomqtt.MqttError as group:
                problem = "; ".join(str(e) or type(e).__name__ for e in group.exceptions)
            except* Exception as group:  # a bug here must not take the calls down: loud, then retry
                log.exception("bus.failed")
                problem = "; ".join(f"{type(e).__name__}: {e}" for e in group.exceptions)
            finally:
                self.connected = False
            if problem is None:
                continue
            if self.connects > connects:  # it was up for a while: start the back-off over
                delay = self.backoff_min
            log.warning("bus.disconnected", reason=problem, retry_in=delay, queued=self.queued)
            if await self._stops_within(delay):
                break
            delay = min(delay * 2, self.backoff_max)
        if self.queued:
            log.warning("bus.stopped_undelivered", events=self.queued)
        log.info("bus.stopped", published=self.published, delivered=self.delivered, dropped=self.dropped)

    async def close(self, timeout: float = 2.0) -> None:
        """Stop: flush what is queued if connected (up to `timeout` s), then end run()."""
        self._stopping.set()
        self._wake.set()
        task = self._task
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            log.warning("bus.close_timeout", timeout=timeout, queued=self.queued)
            task.cancel()
            await asyncio.wait({task})

    # -- the connection ------------------------------------------------------------------------
    def _client(self, cfg: Mqtt) -> aiomqtt.Client:
        return make_client(
            cfg,
            client_id=self.client_id,
            persistent=self._on_outage is not None or bool(self._inbound),  # keep what came meanwhile
            keepalive=self.keepalive,
            timeout=self.timeout,
            status_topic=self.topics["status"],
        )

    async def _session(self, client: aiomqtt.Client, cfg: Mqtt) -> None:
        await client.publish(self.topics["status"], b"online", qos=1, retain=True)
        if self._on_outage is not None:
            await client.subscribe(self.topics["dispatch"], qos=1)
        for topic in self._inbound:
            await client.subscribe(topic, qos=1)
        self.connected = True
        self.connects += 1
        log.info("bus.connected", host=cfg.host, port=cfg.port, queued=self.queued)
        async with asyncio.TaskGroup() as tg:
            # the receiver also notices a dead connection while nothing is being sent
            receiver = tg.create_task(self._receive(client), name="bus-receive")
            snapshots = tg.create_task(self._snapshots(client), name="bus-snapshots")
            await self._send(client)  # returns once stopping and the queue is flushed
            receiver.cancel()
            snapshots.cancel()
        await client.publish(self.topics["status"], b"offline", qos=1, retain=True)

    async def _send(self, client: aiomqtt.Client) -> None:
        while True:
            batch = self._queue.peek(BATCH)
            if not batch:
                if self._stopping.is_set():
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            async with asyncio.TaskGroup() as tg:  # started in order, so sent in order
                for item in batch:
                    tg.create_task(client.publish(item.topic, item.payload, qos=1, retain=item.retain))
            self._queue.ack(batch[-1].seq)
            self.delivered += len(batch)
            self._drop_warned = False
            confirm(batch, self._clock())

    async def _snapshots(self, client: aiomqtt.Client) -> None:
        while True:
            payload = snapshot_payload(self._snapshot, self._clock)
            if payload is not None:
                await client.publish(self.topics["queue"], payload, qos=1, retain=True)
            await asyncio.sleep(self.snapshot_interval)

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            if message.topic.matches(self.topics["dispatch"]):
                assert self._on_outage is not None
                if await deliver_outage(message.payload, message.retain, self._on_outage):
                    self.outages_accepted += 1
                else:
                    self.outages_rejected += 1
            elif (handler := self._inbound.get(message.topic.value)) is not None:
                await handler(message.payload, message.retain)

    async def _stops_within(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        except TimeoutError:
            return False
        return True
