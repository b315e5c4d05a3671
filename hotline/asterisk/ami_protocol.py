"""panoramisk's Manager and AMIProtocol with their sharp edges filed off (the manager is
hotline.asterisk.ami's; the helpers at the end of this list are for every AMI reader).

- one ping timer per connection, armed after a successful Login, gone with the connection;
- a Login that gets no answer within `login_timeout` is reported (the owner drops and retries);
- nothing raised while handling one message (an event callback, a malformed event) escapes
  `data_received`, where asyncio would tear the connection down: it is reported to the owner;
- actions still waiting for a reply fail with AmiError the moment their connection ends,
  instead of panoramisk's queue that silently re-sends them on the next connection (an
  Originate placed twice);
- panoramisk turns a repeated header into a list: read headers with `header()`;
- an action's reply is one message or a list of them: `messages()` gives the list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeAlias

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

_ROUTING = ("Event", "Response", "ActionID", "CommandID")  # headers panoramisk itself reads
_FORGETTABLE = ("ping", "login")  # nobody awaits these futures: cancel them, never fail them


class AmiError(RuntimeError):
    pass


def header(msg: Mapping[str, Any], name: str) -> str:
    """One header of an AMI event or response as text ("" when absent). panoramisk turns a
    repeated header into a list of its values: the first non-empty one is used."""
    value = msg.get(name)
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if v), "")
    return "" if value is None else str(value)


# An action's headers (a list value: the header repeated) and panoramisk's answer to it.
Fields: TypeAlias = Mapping[str, str | list[str]]
Reply: TypeAlias = Message | list[Message]


def messages(reply: Reply) -> list[Message]:
    """An action's reply as a list: panoramisk gives a list only for actions answered with events."""
    return reply if isinstance(reply, list) else [reply]


class Owner(Protocol):
    """What the manager reports to (hotline.asterisk.ami.AmiClient)."""

    closing: bool

    def connect_failed(self, why: str) -> None: ...
    def connection_lost(self, exc: object) -> None: ...
    def login_failed(self, resp: Mapping[str, Any]) -> None: ...
    def login_timed_out(self) -> None: ...
    def handler_failed(self, what: str, event: str, exc: BaseException) -> None: ...


class AmiProtocol(AMIProtocol):  # type: ignore[misc]  # panoramisk has no type hints
    def handle_message(self, message: Message) -> None:
        for key in _ROUTING:
            if isinstance(message.get(key), list):
                message[key] = header(message, key)
        try:
            super().handle_message(message)
        except Exception as exc:  # one bad message must not cost the connection
            self.factory.owner.handler_failed("message", header(message, "Event"), exc)

    def close(self) -> None:
        pending = {id(a): a for a in getattr(self, "responses", {}).values()}.values()
        for action in pending:
            if action.future.done():
                continue
            name = header(action, "Action")
            if name.lower() in _FORGETTABLE:
                action.future.cancel()
            else:
                action.future.set_exception(AmiError(f"AMI connection closed before the reply to {name}"))
        super().close()


class AmiManager(Manager):  # type: ignore[misc]  # panoramisk has no type hints
    def __init__(self, owner: Owner, *, ping_interval: float, login_timeout: float, **config: Any) -> None:
        self.owner = owner
        super().__init__(protocol_factory=AmiProtocol, **config)
        self.ping_delay = self.ping_interval = ping_interval  # panoramisk rounds them to int
        self.login_timeout = login_timeout
        self._login_timer: asyncio.TimerHandle | None = None
        self._handler_tasks: set[asyncio.Future[Any]] = set()

    @property
    def is_open(self) -> bool:
        return self._connected and self.protocol is not None and not self.protocol.closed

    def connection_made(self, f: asyncio.Future[Any]) -> None:
        if f.cancelled():
            return
        if f.exception() is not None:
            self.owner.connect_failed(f"connect failed: {f.exception()}")
            return
        if self.owner.closing:  # closed while connecting
            f.result()[1].close()
            return
        self._stop_timers()
        super().connection_made(f)  # sends Login, arms a ping timer: pings wait for the login
        self._stop_timers()
        self._login_timer = self.loop.call_later(self.login_timeout, self._login_timed_out)

    def login(self, future: asyncio.Future[Any]) -> bool:
        self._cancel_login_timer()
        self.authenticated_future = None
        if future.cancelled() or future.exception() is not None:
            return False  # the connection ended first
        resp = future.result()
        self.authenticated = bool(resp.success)
        if self.authenticated:
            self._arm_pinger()
            self.loop.call_soon(self.on_login, self)
        else:
            self.owner.login_failed(resp)
        return self.authenticated

    def _login_timed_out(self) -> None:
        self._login_timer = None
        self.owner.login_timed_out()

    def ping(self) -> None:
        self.pinger = None
        if self.is_open:
            self.protocol.send({"Action": "Ping"})
            self._arm_pinger()

    def _arm_pinger(self) -> None:
        if self.pinger is not None:
            self.pinger.cancel()
        self.pinger = self.loop.call_later(self.ping_interval, self.ping)

    def _cancel_login_timer(self) -> None:
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None

    def _stop_timers(self) -> None:
        self._cancel_login_timer()
        if self.pinger is not None:
            self.pinger.cancel()
            self.pinger = None

    def drop(self) -> None:
        """End the current connection without reporting it (the owner schedules the retry)."""
        self._connected = self.authenticated = False
        self._stop_timers()
        if self.protocol is not None:
            self.protocol.close()

    def close(self) -> None:
        self.drop()

    def connection_lost(self, exc: Exception | None) -> None:
        self._connected = self.authenticated = False
        self._stop_timers()
        self.owner.connection_lost(exc)

    def dispatch(self, event: Message) -> list[str]:
        """panoramisk's dispatch, with each callback's failure contained and reported."""
        event.manager = self
        name = header(event, "Event")
        matches = []
        for pattern, regexp in self.patterns:
            if regexp.match(name) is None:
                continue
            matches.append(pattern)
            for callback in self.callbacks[pattern]:
                self._run(callback, event, name)
        return matches

    def _run(self, callback: Callable[[AmiManager, Message], object], event: Message, name: str) -> None:
        try:
            ret = callback(self, event)
        except Exception as exc:
            self.owner.handler_failed("callback", name, exc)
            return
        if asyncio.iscoroutine(ret) or isinstance(ret, asyncio.Future):
            task = asyncio.ensure_future(ret)
            self._handler_tasks.add(task)
            task.add_done_callback(lambda t: self._handler_done(t, name))

    def _handler_done(self, task: asyncio.Future[Any], name: str) -> None:
        self._handler_tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.owner.handler_failed("callback", name, exc)
