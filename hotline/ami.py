"""AMI adapter on panoramisk: login, reconnect with back-off, state resync after every login.

panoramisk retries at a fixed interval forever, even after close(); this subclass owns the
schedule instead (exponential back-off, stops on close) and reports login failures.
State kept here (from events, rebuilt by resync): which agent endpoints have a registered contact
(changes go to `on_registration`, i.e. the ACD), and when a watched channel's Dial was answered.
A caller's hang-up reaches the daemon through the FastAGI socket (AGISIGHUP), not through AMI.
"""
from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone
from typing import Callable

import structlog
from panoramisk import Manager

from .settings import Ami

log = structlog.get_logger("ami")
_UNSAFE = re.compile(r"[\r\n]")
_GONE = {"removed", "unreachable"}
# The only events the daemon reads. Asterisk sends every other one too (VarSet, Newexten, RTCP...)
# unless told otherwise, and parsing them would cost more CPU than the calls themselves.
EVENTS = ("FullyBooted", "Shutdown", "ContactStatus", "DialEnd", "OriginateResponse", "Hangup")


class AmiError(RuntimeError):
    pass


class _Manager(Manager):
    def __init__(self, owner: "AmiClient", **config):
        self._owner = owner
        super().__init__(**config)

    def connection_made(self, f):
        if f.exception() is not None:
            self._owner._schedule_reconnect(f"connect failed: {f.exception()}")
            return
        super().connection_made(f)

    def connection_lost(self, exc):
        self._connected = False
        if self.pinger:
            self.pinger.cancel()
            self.pinger = None
        self._owner._on_lost(exc)

    def login(self, future):
        ok = super().login(future)
        if not ok:
            self._owner._login_failed(future.result())
        return ok


class AmiClient:
    def __init__(self, cfg: Ami, *, on_reconnect: Callable[[], None] = lambda: None,
                 on_error: Callable[[], None] = lambda: None):
        self.cfg = cfg
        self._on_reconnect = on_reconnect  # metrics hooks
        self._on_error = on_error
        self.registered: set[str] = set()  # endpoints with a live contact
        self.logins = 0
        self.connected = asyncio.Event()
        self._closing = False
        self._delay = 0.5
        self._dial_answers: dict[str, datetime | None] = {}  # watched caller uniqueid -> agent answer
        self._dial_callbacks: dict[str, Callable[[], None]] = {}
        self._hangups: dict[str, asyncio.Future[str]] = {}  # watched uniqueid -> hangup cause
        self.on_registration: Callable[[str, bool], None] = lambda ext, up: None
        self._manager = _Manager(
            self, host=cfg.host, port=cfg.port, username=cfg.username,
            secret=cfg.secret.get_secret_value(), events="on", ping_delay=5, ping_interval=5,
            reconnect_timeout=1, on_login=self._on_login,
            on_disconnect=lambda *_: None, on_connect=lambda *_: None)
        self._manager.register_event("ContactStatus", self._on_contact_status)
        self._manager.register_event("DialEnd", self._on_dial_end)
        self._manager.register_event("Hangup", self._on_hangup)
        self._tasks: set[asyncio.Task] = set()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._manager.loop = asyncio.get_running_loop()
        self._manager.connect()

    async def wait_connected(self, timeout: float) -> None:
        async with asyncio.timeout(timeout):
            await self.connected.wait()

    def close(self) -> None:
        self._closing = True
        self.connected.clear()
        self._manager.close()
        for t in list(self._tasks):
            t.cancel()

    def _schedule_reconnect(self, why: str) -> None:
        self.connected.clear()
        if self._closing:
            return
        log.warning("ami.reconnect", reason=why, retry_in=self._delay)
        self._on_reconnect()
        asyncio.get_running_loop().call_later(self._delay, self._reconnect)
        self._delay = min(self._delay * 2, self.cfg.reconnect_max_seconds)

    def _reconnect(self) -> None:
        if not self._closing:
            self._manager.connect()

    def _on_lost(self, exc) -> None:
        self._schedule_reconnect(f"connection lost: {exc}")

    def _login_failed(self, resp) -> None:
        log.error("ami.login_failed", username=self.cfg.username, message=resp.get("Message"))
        self._on_error()
        # panoramisk's protocol.close() does not report connection_lost: schedule the retry here
        self._manager.protocol.close()
        self._schedule_reconnect("login failed")

    def _on_login(self, manager) -> None:
        self._delay = 0.5
        self.logins += 1
        task = asyncio.ensure_future(self._resync())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _filter_events(self) -> None:
        """Per-session whitelist (AMI Filter): hash-based `name()` where Asterisk has it, else regex."""
        for name in EVENTS:
            resp = await self.action({"Action": "Filter", "Operation": "Add",
                                      "MatchCriteria": f"name({name})"})
            if resp.get("Response") != "Success":
                await self.action({"Action": "Filter", "Operation": "Add",
                                   "Filter": f"Event: ({'|'.join(EVENTS)})"})
                return

    async def _resync(self) -> None:
        """Rebuild state from Asterisk after every (re)login: nothing seen before is trusted."""
        await self._filter_events()
        resp = await self.action({"Action": "PJSIPShowContacts"})
        registered = set()
        for msg in resp if isinstance(resp, list) else [resp]:
            if msg.get("Event") == "ContactList":
                status = (msg.get("Status") or "").lower()
                ep = msg.get("Endpoint") or msg.get("Aor") or ""
                if ep and status not in _GONE:
                    registered.add(ep)
        for ep in self.registered | registered:  # tell the ACD what changed while we were away
            if (ep in registered) != (ep in self.registered):
                self.on_registration(ep, ep in registered)
        self.registered = registered
        log.info("ami.resynced", logins=self.logins, registered=sorted(registered))
        self.connected.set()

    # -- actions ---------------------------------------------------------------------------
    async def action(self, fields: dict[str, str], *, as_list: bool | None = None, timeout: float = 10):
        for k, v in fields.items():
            if _UNSAFE.search(str(k)) or _UNSAFE.search(str(v)):
                raise AmiError(f"AMI field {k!r} holds a line break; refusing to send it")
        if not self._manager._connected:
            raise AmiError("AMI is not connected")
        async with asyncio.timeout(timeout):
            return await self._manager.send_action(dict(fields), as_list=as_list)

    # -- events ----------------------------------------------------------------------------
    def _on_contact_status(self, manager, event) -> None:
        ep = event.get("EndpointName") or event.get("AOR") or ""
        status = (event.get("ContactStatus") or "").lower()
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

    def on_dial_answer(self, uniqueid: str, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` the moment this channel's Dial is answered (AMI DialEnd ANSWER) and
        keep the instant for `dial_answered_at`; returns an unsubscribe."""
        self._dial_answers[uniqueid] = None
        self._dial_callbacks[uniqueid] = callback
        return lambda: self._dial_callbacks.pop(uniqueid, None)

    def dial_answered_at(self, uniqueid: str) -> datetime | None:
        """When the agent answered (Asterisk's event timestamp); forgets the watch."""
        return self._dial_answers.pop(uniqueid, None)

    def watch_hangup(self, uniqueid: str) -> asyncio.Future[str]:
        """A future for the Q.850 cause of this channel's hang-up (AMI Hangup `Cause`): 17 busy,
        19 no answer, 21 rejected... Drop it with `unwatch_hangup` when no longer needed. Wait
        on it with `asyncio.wait` (a timeout there leaves it pending, not cancelled)."""
        fut = asyncio.get_running_loop().create_future()
        self._hangups[uniqueid] = fut
        return fut

    def unwatch_hangup(self, uniqueid: str) -> None:
        self._hangups.pop(uniqueid, None)

    def _on_hangup(self, manager, event) -> None:
        fut = self._hangups.pop(event.get("Uniqueid", ""), None)
        if fut is not None and not fut.done():
            fut.set_result(str(event.get("Cause", "")))

    def _on_dial_end(self, manager, event) -> None:
        uid = event.get("Uniqueid", "")
        if uid in self._dial_answers and event.get("DialStatus") == "ANSWER":
            stamp = event.get("Timestamp")
            self._dial_answers[uid] = (datetime.fromtimestamp(float(stamp), timezone.utc)
                                       if stamp else datetime.now(timezone.utc))
            callback = self._dial_callbacks.pop(uid, None)
            if callback is not None:
                callback()
