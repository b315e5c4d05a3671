"""AMI adapter on panoramisk: login, reconnect with back-off, state resync after every login.

panoramisk retries at a fixed interval forever, even after close(); this client owns the
schedule instead (exponential back-off, stops on close) and reports login failures. The
back-off returns to its shortest delay only once a session has been synced and up for
`stable_seconds`: a server that accepts the Login and drops at once is retried ever slower.
A Login or a resync step that gets no answer ends the connection and is retried the same way.
The resync sets the session's event filter (ami_filters.py: only EVENTS) and reads which agent
endpoints have a registered contact; `connected` is set once it is done. Events then keep that
set current (changes go to `on_registration`, i.e. the ACD), tell when the agent answered a
watched caller's Dial (dial_watch) and why a watched channel hung up (hangup_watch, for the
dialer). `live_channels()` lists the channels Asterisk has (for the line audit). Failed SIP
logins (security_events) go to whoever subscribed with `on_event` (the auth guard).
An exception in any event handler is logged (ami.callback_failed) and counted (`on_error`),
never fatal to the connection.
A caller's hang-up reaches the call flows through the FastAGI socket (AGISIGHUP), not AMI.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import structlog
from panoramisk.message import Message

from hotline.asterisk.ami_filters import EVENTS, filter_actions, legacy_filter_action
from hotline.asterisk.ami_protocol import AmiError, AmiManager, Fields, Reply, header, messages
from hotline.asterisk.dial_watch import DialWatch
from hotline.asterisk.hangup_watch import HangupWatch
from hotline.settings import Ami

__all__ = ["EVENTS", "AmiClient", "AmiError", "header"]

log = structlog.get_logger("ami")
_UNSAFE = re.compile(r"[\r\n]")
_GONE = {"removed", "unreachable"}


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class AmiClient:
    def __init__(
        self,
        cfg: Ami,
        *,
        on_reconnect: Callable[[], None] = lambda: None,
        on_error: Callable[[], None] = lambda: None,
        ping_interval: float = 5.0,
        login_timeout: float = 10.0,
        resync_timeout: float = 10.0,
        stable_seconds: float = 30.0,
        reconnect_min_seconds: float = 0.5,
    ) -> None:
        self.cfg = cfg
        self._on_reconnect = on_reconnect  # metrics hooks
        self._on_error = on_error
        self.registered: set[str] = set()  # endpoints with a live contact
        self.logins = 0
        self.connected = asyncio.Event()  # logged in and resynced
        self.closing = False
        self._min_delay = min(reconnect_min_seconds, cfg.reconnect_max_seconds)
        self._delay = self._min_delay
        self._resync_timeout = resync_timeout
        self._stable_seconds = stable_seconds
        self._retry: asyncio.TimerHandle | None = None
        self._stable: asyncio.TimerHandle | None = None
        self._connecting: asyncio.Future[Any] | None = None
        self._resync_task: asyncio.Task[None] | None = None
        self._dials = DialWatch()  # when a watched caller's agent answered
        self._hangups = HangupWatch()  # why a watched channel hung up
        self.on_registration: Callable[[str, bool], None] = lambda ext, up: None
        self._manager = AmiManager(
            self,
            host=cfg.host,
            port=cfg.port,
            username=cfg.username,
            secret=cfg.secret.get_secret_value(),
            events="on",
            ping_interval=ping_interval,
            login_timeout=login_timeout,
            on_login=self._on_login,
            on_disconnect=lambda *_: None,
            on_connect=lambda *_: None,
        )
        self._manager.register_event("ContactStatus", self._on_contact_status)
        self._manager.register_event("DialBegin", lambda _m, e: self._dials.on_dial_begin(e))
        self._manager.register_event("Newstate", lambda _m, e: self._dials.on_newstate(e))
        self._manager.register_event("DialEnd", lambda _m, e: self._dials.on_dial_end(e))
        self._manager.register_event("Hangup", lambda _m, e: self._hangups.on_hangup(e))

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._manager.loop = asyncio.get_running_loop()
        self._connect()

    async def wait_connected(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            await self.connected.wait()

    def close(self) -> None:
        self.closing = True
        self._end_session()
        for handle in (self._retry, self._connecting):
            if handle is not None:
                handle.cancel()
        self._retry = self._connecting = None
        self._manager.close()

    def _connect(self) -> None:
        self._retry = None
        if not self.closing:
            self._connecting = self._manager.connect()

    def _end_session(self) -> None:
        """Forget the session's sync: not connected, no resync running, no stability pending."""
        self.connected.clear()
        if self._stable is not None:
            self._stable.cancel()
            self._stable = None
        task, self._resync_task = self._resync_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def _schedule_reconnect(self, why: str) -> None:
        self._end_session()
        if self.closing or self._retry is not None:
            return
        log.warning("ami.reconnect", reason=why, retry_in=self._delay)
        self._on_reconnect()
        self._retry = asyncio.get_running_loop().call_later(self._delay, self._connect)
        self._delay = min(self._delay * 2, self.cfg.reconnect_max_seconds)

    def _drop(self, why: str) -> None:
        self._on_error()
        self._manager.drop()
        self._schedule_reconnect(why)

    # -- reports from the manager (ami_protocol.Owner) ----------------------------------------
    def connect_failed(self, why: str) -> None:
        self._schedule_reconnect(why)

    def connection_lost(self, exc: object) -> None:
        self._schedule_reconnect(f"connection lost: {exc}")

    def login_failed(self, resp: Mapping[str, Any]) -> None:
        log.error("ami.login_failed", username=self.cfg.username, message=header(resp, "Message"))
        self._drop("login failed")

    def login_timed_out(self) -> None:
        log.error("ami.login_timeout", username=self.cfg.username, after_s=self._manager.login_timeout)
        self._drop("login not answered")

    def handler_failed(self, what: str, event: str, exc: BaseException) -> None:
        log.error("ami.callback_failed", ami_event=event, part=what, error=_error(exc), exc_info=exc)
        self._on_error()

    # -- login and resync ------------------------------------------------------------------
    def _on_login(self, manager: AmiManager) -> None:
        if not self._manager.is_open:  # dropped between the Login reply and this call
            return
        self.logins += 1
        self._end_session()
        self._resync_task = asyncio.ensure_future(self._resync_guarded())

    async def _resync_guarded(self) -> None:
        try:
            await self._resync()
        except Exception as exc:  # a resync that cannot finish: start over on a new connection
            log.error("ami.resync_failed", error=_error(exc), logins=self.logins, retry_in=self._delay)
            self._drop(f"resync failed: {_error(exc)}")
            return
        self._resync_task = None
        self._stable = asyncio.get_running_loop().call_later(self._stable_seconds, self._became_stable)

    def _became_stable(self) -> None:
        self._stable = None
        self._delay = self._min_delay
        log.info("ami.stable", after_s=self._stable_seconds)

    async def _filter_events(self) -> None:
        """Per-session filters (ami_filters.py), or the one regex where Asterisk refuses them."""
        for action in filter_actions():
            resp = await self._resync_action(action)
            if header(messages(resp)[0], "Response") != "Success":
                await self._resync_action(legacy_filter_action())
                return

    async def _resync_action(self, fields: Mapping[str, str]) -> Reply:
        return await self.action(fields, timeout=self._resync_timeout)

    async def _resync(self) -> None:
        """Rebuild state from Asterisk after every (re)login: nothing seen before is trusted."""
        await self._filter_events()
        resp = await self._resync_action({"Action": "PJSIPShowContacts"})
        registered = set()
        for msg in messages(resp):
            if header(msg, "Event") == "ContactList":
                status = header(msg, "Status").lower()
                ep = header(msg, "Endpoint") or header(msg, "Aor")
                if ep and status not in _GONE:
                    registered.add(ep)
        before, self.registered = self.registered, registered
        for ep in sorted(before ^ registered):  # tell the ACD what changed while we were away
            self._tell_acd(ep, ep in registered)
        log.info("ami.resynced", logins=self.logins, registered=sorted(registered))
        self.connected.set()

    def _tell_acd(self, ep: str, up: bool) -> None:
        try:
            self.on_registration(ep, up)
        except Exception as exc:  # the ACD's bug must not cost AMI (nor the other endpoints)
            self.handler_failed("callback", "ContactStatus", exc)

    # -- actions ---------------------------------------------------------------------------
    async def action(self, fields: Fields, *, as_list: bool | None = None, timeout: float = 10) -> Reply:
        """Send an action; panoramisk's reply. AmiError if a field holds a line break or AMI is
        not connected; TimeoutError after `timeout`."""
        for k, v in fields.items():
            values = [v] if isinstance(v, str) else v
            if _UNSAFE.search(str(k)) or any(_UNSAFE.search(str(x)) for x in values):
                raise AmiError(f"AMI field {k!r} holds a line break; refusing to send it")
        if not self._manager.is_open:
            raise AmiError("AMI is not connected")
        async with asyncio.timeout(timeout):
            return await self._manager.send_action(dict(fields), as_list=as_list)

    async def live_channels(self, timeout: float = 5.0) -> set[str]:
        """The Uniqueid of every channel Asterisk has now (AMI CoreShowChannels: CoreShowChannel
        events up to CoreShowChannelsComplete). AmiError if not connected or not answered in time."""
        if not self.connected.is_set():
            raise AmiError("AMI is not connected")
        try:
            resp = await self.action({"Action": "CoreShowChannels"}, timeout=timeout)
        except TimeoutError:
            raise AmiError(f"CoreShowChannels not answered within {timeout} s") from None
        msgs = messages(resp)
        if header(msgs[0], "Response") != "Success":
            raise AmiError(f"CoreShowChannels refused: {header(msgs[0], 'Message') or 'no message'}")
        return {
            header(m, "Uniqueid")
            for m in msgs
            if header(m, "Event") == "CoreShowChannel" and header(m, "Uniqueid")
        }

    # -- events ----------------------------------------------------------------------------
    def _on_contact_status(self, manager: AmiManager, event: Message) -> None:
        ep = header(event, "EndpointName") or header(event, "AOR")
        status = header(event, "ContactStatus").lower()
        if not ep:
            return
        before = ep in self.registered
        if status in _GONE:
            self.registered.discard(ep)
        else:
            self.registered.add(ep)
        if before != (ep in self.registered):
            log.info("ami.registration", endpoint=ep, registered=ep in self.registered)
            self.on_registration(ep, ep in self.registered)

    def on_event(self, name: str, callback: Callable[[Message], None]) -> None:
        """Call `callback(event)` for every AMI event `name` (one of EVENTS: the others never come)."""
        self._manager.register_event(name, lambda _m, e: callback(e))

    def on_dial_answer(self, uniqueid: str, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` the moment the agent answers this channel's Dial (the agent's leg goes
        Up, see ami_dial_watch) and keep the instant for `dial_answered_at`; returns an unsubscribe."""
        return self._dials.watch(uniqueid, callback)

    def dial_answered_at(self, uniqueid: str) -> datetime | None:
        """When the agent answered (Asterisk's event timestamp); forgets the watch."""
        return self._dials.answered_at(uniqueid)

    def watch_hangup(self, uniqueid: str) -> asyncio.Future[str]:
        """A future for the Q.850 cause of this channel's hang-up (AMI Hangup `Cause`, see
        hangup_watch). Drop it with `unwatch_hangup` when no longer needed. Wait on it with
        `asyncio.wait` (a timeout there leaves it pending, not cancelled)."""
        return self._hangups.watch(uniqueid)

    def unwatch_hangup(self, uniqueid: str) -> None:
        self._hangups.unwatch(uniqueid)
