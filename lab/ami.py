"""A minimal AMI client on a raw asyncio socket (readiness probe and event capture in tests).

It does not depend on panoramisk, so it can check a lab Asterisk independently of the daemon.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab.errors import LabError, LabTimeout

Message = dict[str, str]
_ids = itertools.count(1)


class AmiError(LabError):
    """AMI refused a login or an action."""


@dataclass(frozen=True)
class AmiCredentials:
    host: str
    port: int
    username: str
    secret: str

    @classmethod
    def from_manager_conf(cls, path: Path) -> AmiCredentials:
        """Read bindaddr/port and the first user with a secret from a manager.conf."""
        section, general, user = None, {}, None
        for raw in Path(path).read_text().splitlines():
            line = raw.split(";", 1)[0].strip()
            if not line:
                continue
            head = re.fullmatch(r"\[([^\]]+)\](\(.*\))?", line)
            if head:
                section = head.group(1)
                continue
            pair = re.fullmatch(r"([^=]+?)\s*=>?\s*(.*)", line)
            if not pair:
                continue
            key, value = pair.groups()
            if section == "general":
                general[key.lower()] = value
            elif section and key.lower() == "secret" and user is None:
                user = (section, value)
        if user is None:
            raise LabError(f"{path}: no AMI user with a secret")
        host = general.get("bindaddr", "127.0.0.1")
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return cls(host, int(general.get("port", "5038")), user[0], user[1])


class RawAmi:
    """One AMI connection: login, actions, and a queue of every event received."""

    def __init__(self) -> None:
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[str, asyncio.Future[Message]] = {}
        self._arrived = asyncio.Event()
        self._lost: str | None = None
        self._task: asyncio.Task[None] | None = None
        self.events: list[Message] = []  # everything received so far, in order

    @classmethod
    async def connect(cls, creds: AmiCredentials, *, events: str = "on", timeout: float = 5) -> RawAmi:
        ami = cls()
        ok = False
        try:
            async with asyncio.timeout(timeout):
                ami._reader, ami._writer = await asyncio.open_connection(creds.host, creds.port)
                banner = await ami._reader.readline()
                if not banner.startswith(b"Asterisk Call Manager"):
                    raise AmiError(f"not an AMI banner on {creds.host}:{creds.port}: {banner!r}")
                ami._task = asyncio.create_task(ami._read_loop())
                await ami.action("Login", Username=creds.username, Secret=creds.secret, Events=events)
            ok = True
        finally:
            if not ok:
                await ami.close()
        return ami

    async def action(self, name: str, timeout: float = 10, **fields: str) -> Message:
        """Send an action and return its response; raise AmiError on `Response: Error`."""
        if self._writer is None:
            raise LabError("AMI connection is not open")
        action_id = f"lab-{next(_ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{k}: {v}" for k, v in fields.items()]
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = future
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            async with asyncio.timeout(timeout):
                response = await future
        finally:
            self._pending.pop(action_id, None)
        if response.get("Response") == "Error":
            raise AmiError(f"AMI {name} failed: {response.get('Message', response)}")
        return response

    async def wait_event(self, match: Callable[[Message], bool], timeout: float = 10) -> Message:
        """The first event (already received or arriving before the deadline) that matches."""
        return (await self.collect(match, 1, timeout))[0]

    async def collect(
        self, match: Callable[[Message], bool], count: int, timeout: float = 10
    ) -> list[Message]:
        """All matching events received so far, once there are at least `count` of them."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [event for event in self.events if match(event)]
            if len(found) >= count:
                return found
            if self._lost is not None:
                raise LabError(f"{self._lost} (had {len(found)} of {count} matching events)")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise LabTimeout(f"only {len(found)} of {count} matching AMI events within {timeout} s")
            self._arrived.clear()
            try:
                async with asyncio.timeout(remaining):
                    await self._arrived.wait()
            except TimeoutError:
                pass

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _read_loop(self) -> None:
        assert self._reader is not None
        error: Exception = LabError("AMI connection closed by Asterisk")
        try:
            while True:
                block = await self._reader.readuntil(b"\r\n\r\n")
                message = _parse(block.decode("utf-8", "replace"))
                action_id = message.get("ActionID", "")
                if "Event" not in message and action_id in self._pending:
                    self._pending[action_id].set_result(message)
                elif "Event" in message:
                    self.events.append(message)
                    self._arrived.set()
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            error = LabError(f"AMI connection lost: {exc!r}")
        self._lost = str(error)
        self._arrived.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)


def _parse(block: str) -> Message:
    message: Message = {}
    for line in block.split("\r\n"):
        key, sep, value = line.partition(": ")
        if not sep:
            key, sep, value = line.partition(":")
        if sep:
            message[key] = f"{message[key]}\n{value}" if key in message else value
    return message


async def wait_fully_booted(creds: AmiCredentials, timeout: float) -> None:
    """Log in once and wait for the FullyBooted event (sent at login when already booted)."""
    ami = await RawAmi.connect(creds, events="system", timeout=timeout)
    try:
        await ami.wait_event(lambda e: e.get("Event") == "FullyBooted", timeout=timeout)
    finally:
        await ami.close()
