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

With an inbound handler the bus keeps a persistent MQTT session (fixed client id, clean_session
off), so notices the dispatch side sends with QoS 1 while the daemon is down or reconnecting are
delivered when it comes back. A retained notice's replay (flagged retained, sent by the broker
at every subscribe) is ignored, or each reconnect would add that notice again.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import aiomqtt
import structlog

from hotline.bus.dispatch import OutageHandler, deliver_outage
from hotline.bus.notifier import Notifier
from hotline.bus.pending import Pending, PendingQueue
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
BATCH = 100  # events in flight at once (QoS 1: each waits for the broker's PUBACK)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"event data holds a {type(value).__name__}, which is not JSON: {value!r}")


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
            "service_done": f"{prefix}/dispatch/service_done",
        }
        self._on_service_done: Callable[[bytes, bool], Any] | None = None
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
        payload = json.dumps(body, ensure_ascii=False, default=_json_default).encode()
        self.seq = seq
        self.published += 1
        self.listeners(body)
        if self.cfg is None:
            return seq
        if self._queue.push(Pending(seq, f"{self.topics['events']}/{kind}", payload, retain)):
            if self._on_drop is not None:
                self._on_drop(1)
            if not self._drop_warned:
                self._drop_warned = True
                log.warning(
                    "bus.dropping_oldest", max_queued=self._queue.max_events, connected=self.connected
                )
        self._wake.set()
        return seq

    def set_snapshot_provider(self, provider: Callable[[], Mapping[str, Any]]) -> None:
        """`provider()` -> dict, published retained on `<prefix>/queue` every snapshot_interval."""
        self._snapshot = provider

    def set_service_done_handler(self, handler: Callable[[bytes, bool], Any]) -> None:
        """`await handler(payload, retained)` for each message on `<prefix>/dispatch/service_done`
        (it validates, logs and drops bad messages itself); set before `run()`."""
        self._on_service_done = handler

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
        # keep dispatch messages sent while we were away
        persistent = self._on_outage is not None or self._on_service_done is not None
        client = aiomqtt.Client(
            cfg.host,
            cfg.port,
            identifier=self.client_id if persistent else None,
            clean_session=not persistent,
            username=cfg.username,
            password=cfg.password.get_secret_value() if cfg.password is not None else None,
            keepalive=self.keepalive,
            timeout=self.timeout,
            max_inflight_messages=BATCH,
            # without it Nagle + delayed ACKs cost ~40 ms per batch (2,000 events/s at best)
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
            will=aiomqtt.Will(self.topics["status"], b"offline", qos=1, retain=True),
        )
        client.pending_calls_threshold = BATCH + 10  # else aiomqtt warns about every full batch
        return client

    async def _session(self, client: aiomqtt.Client, cfg: Mqtt) -> None:
        await client.publish(self.topics["status"], b"online", qos=1, retain=True)
        if self._on_outage is not None:
            await client.subscribe(self.topics["dispatch"], qos=1)
        if self._on_service_done is not None:
            await client.subscribe(self.topics["service_done"], qos=1)
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

    async def _snapshots(self, client: aiomqtt.Client) -> None:
        while True:
            payload = self._snapshot_payload()
            if payload is not None:
                await client.publish(self.topics["queue"], payload, qos=1, retain=True)
            await asyncio.sleep(self.snapshot_interval)

    def _snapshot_payload(self) -> bytes | None:
        if self._snapshot is None:
            return None
        try:
            snap = {**self._snapshot(), "at": self._clock().isoformat()}
            return json.dumps(snap, ensure_ascii=False, default=_json_default).encode()
        except Exception:  # the provider's bug: logged with its traceback, next interval retries
            log.exception("bus.snapshot_failed")
            return None

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            if message.topic.matches(self.topics["dispatch"]):
                assert self._on_outage is not None
                if await deliver_outage(message.payload, message.retain, self._on_outage):
                    self.outages_accepted += 1
                else:
                    self.outages_rejected += 1
            elif message.topic.matches(self.topics["service_done"]):
                assert self._on_service_done is not None
                await self._on_service_done(message.payload, message.retain)

    async def _stops_within(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        except TimeoutError:
            return False
        return True
