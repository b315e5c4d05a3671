"""A minimal AMI server on loopback: banner, Login, PJSIPShowContacts, CoreShowChannels, Ping
(any other action: Success); can drop its clients, stay silent on chosen actions or refuse them,
refuse logins or drop right after one."""

from __future__ import annotations

import asyncio


class FakeAmi:
    def __init__(self, contacts: list[str], secret: str = "s3cret", channels: list[str] | None = None):
        self.contacts = contacts  # endpoints with a registered contact
        self.channels = channels or []  # Uniqueids of the live channels (CoreShowChannels)
        self.secret = secret
        self.answer_login = True  # False: accept the TCP connection, send the banner, never reply to Login
        self.drop_after_login = False  # True: accept the Login, then close the connection at once
        self.ignore: set[str] = set()  # lower-case action names never answered
        self.refuse: set[str] = set()  # lower-case action names answered with Response: Error
        self.contact_extra = ""  # extra header lines added to every ContactList event
        self.logins = 0
        self.failed_logins = 0
        self.connects: list[float] = []
        self.pings: list[tuple[int, float]] = []  # (connection number, loop time) of every Ping
        self.actions: list[str] = []  # every action received, lower-case
        self.received: list[dict[str, str]] = []  # every action received, all its headers
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: set[asyncio.Task] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop_clients()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._handlers:  # let every client handler see its EOF instead of dying at loop close
            await asyncio.wait(self._handlers, timeout=5)

    def drop_clients(self) -> None:
        for w in self._writers:
            w.close()
        self._writers.clear()

    async def _client(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        conn = len(self.connects)
        task = asyncio.current_task()
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        self.connects.append(loop.time())
        self._writers.append(w)
        w.write(b"Asterisk Call Manager/11.0.0\r\n")
        try:
            while True:
                block = await r.readuntil(b"\r\n\r\n")
                msg = dict(
                    line.split(": ", 1) for line in block.decode().strip().split("\r\n") if ": " in line
                )
                action = msg.get("Action", "").lower()
                self.actions.append(action)
                self.received.append(msg)
                if action == "ping":
                    self.pings.append((conn, loop.time()))
                if action in self.ignore or (action == "login" and not self.answer_login):
                    continue
                w.write(self._reply(msg).encode())
                if action == "login" and self.drop_after_login:
                    w.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return

    def _reply(self, msg: dict[str, str]) -> str:
        aid = msg.get("ActionID", "")
        action = msg.get("Action", "").lower()
        if action == "login":
            if msg.get("Secret") != self.secret:
                self.failed_logins += 1
                return f"Response: Error\r\nActionID: {aid}\r\nMessage: Authentication failed\r\n\r\n"
            self.logins += 1
            return (
                f"Response: Success\r\nActionID: {aid}\r\nMessage: Authentication accepted\r\n\r\n"
                "Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n"
            )
        if action in self.refuse:
            return f"Response: Error\r\nActionID: {aid}\r\nMessage: Refused by the test\r\n\r\n"
        if action == "pjsipshowcontacts":
            return self._contacts(aid)
        if action == "coreshowchannels":
            return self._channels(aid)
        if action == "ping":
            return (
                f"Response: Success\r\nActionID: {aid}\r\nPing: Pong\r\nTimestamp: 1700000000.000000\r\n\r\n"
            )
        return f"Response: Success\r\nActionID: {aid}\r\n\r\n"

    def _contacts(self, aid: str) -> str:
        if not self.contacts:
            return f"Response: Error\r\nActionID: {aid}\r\nMessage: No Contacts found\r\n\r\n"
        out = [
            f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\n"
            "Message: A listing of Contacts follows, presented as ContactList events\r\n\r\n"
        ]
        for ep in self.contacts:
            out.append(
                f"Event: ContactList\r\nActionID: {aid}\r\nAor: {ep}\r\nEndpoint: {ep}\r\n"
                f"{self.contact_extra}Status: NonQualified\r\n\r\n"
            )
        out.append(
            f"Event: ContactListComplete\r\nActionID: {aid}\r\nEventList: Complete\r\n"
            f"ListItems: {len(self.contacts)}\r\n\r\n"
        )
        return "".join(out)

    def _channels(self, aid: str) -> str:
        """Asterisk 22's list: a Success with EventList start, one CoreShowChannel per channel,
        then CoreShowChannelsComplete (also when there is no channel at all)."""
        out = [
            f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\n"
            "Message: Channels will follow\r\n\r\n"
        ]
        for i, uid in enumerate(self.channels):
            out.append(
                f"Event: CoreShowChannel\r\nActionID: {aid}\r\nChannel: PJSIP/trunk-{i:08x}\r\n"
                f"ChannelState: 6\r\nChannelStateDesc: Up\r\nUniqueid: {uid}\r\nLinkedid: {uid}\r\n"
                f"Application: AGI\r\nDuration: 00:00:12\r\n\r\n"
            )
        out.append(
            f"Event: CoreShowChannelsComplete\r\nActionID: {aid}\r\nEventList: Complete\r\n"
            f"ListItems: {len(self.channels)}\r\n\r\n"
        )
        return "".join(out)

    def send_event(self, text: str) -> None:
        for w in self._writers:
            w.write(text.encode())
