"""A minimal AMI server on loopback: banner, Login, PJSIPShowContacts; can drop its clients."""
from __future__ import annotations

import asyncio


class FakeAmi:
    def __init__(self, contacts: list[str], secret: str = "s3cret"):
        self.contacts = contacts  # endpoints with a registered contact
        self.secret = secret
        self.logins = 0
        self.failed_logins = 0
        self.connects: list[float] = []
        self._writers: list[asyncio.StreamWriter] = []
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

    def drop_clients(self) -> None:
        for w in self._writers:
            w.close()
        self._writers.clear()

    async def _client(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        self.connects.append(asyncio.get_running_loop().time())
        self._writers.append(w)
        w.write(b"Asterisk Call Manager/11.0.0\r\n")
        try:
            while True:
                block = await r.readuntil(b"\r\n\r\n")
                msg = dict(line.split(": ", 1) for line in block.decode().strip().split("\r\n") if ": " in line)
                w.write(self._reply(msg).encode())
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
            return (f"Response: Success\r\nActionID: {aid}\r\nMessage: Authentication accepted\r\n\r\n"
                    "Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n")
        if action == "pjsipshowcontacts":
            if not self.contacts:
                return f"Response: Error\r\nActionID: {aid}\r\nMessage: No Contacts found\r\n\r\n"
            out = [f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\nMessage: A listing of Contacts follows, presented as ContactList events\r\n\r\n"]
            for ep in self.contacts:
                out.append(f"Event: ContactList\r\nActionID: {aid}\r\nAor: {ep}\r\nEndpoint: {ep}\r\nStatus: NonQualified\r\n\r\n")
            out.append(f"Event: ContactListComplete\r\nActionID: {aid}\r\nEventList: Complete\r\nListItems: {len(self.contacts)}\r\n\r\n")
            return "".join(out)
        return f"Response: Success\r\nActionID: {aid}\r\n\r\n"

    def send_event(self, text: str) -> None:
        for w in self._writers:
            w.write(text.encode())
