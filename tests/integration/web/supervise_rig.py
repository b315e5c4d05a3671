"""A console app for the live supervision tests: the real session middleware and login routes,
the /supervise routes on the real ACD runtime (fake clock and timers), a real AmiClient on a
loopback AMI server that answers Originate as Asterisk does, and the real peak mode."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fake_ami import FakeAmi
from fake_scheduler import FakeClock, FakeScheduler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from web_harness import STATIC

from acd import events as ev
from hotline.asterisk.ami import AmiClient
from hotline.bus.event_bus import EventBus
from hotline.services.acd_driver import AcdRuntime
from hotline.services.peak_mode import PeakMode
from hotline.settings import Settings
from hotline.store.web_models import AuditRow
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.roles import require
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.supervise_routes import supervise_routes
from hotline.web.templating import page

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
AMI_SECRET = "s3cret"


class AsteriskLikeAmi(FakeAmi):
    """Answers Originate as Asterisk does: "Originate successfully queued", then, once the rung
    phone answered or not, OriginateResponse with the same ActionID (`originate`: the Response
    and Reason it carries)."""

    def __init__(self, contacts: list[str]) -> None:
        super().__init__(contacts, secret=AMI_SECRET)
        self.originate = ("Success", "4")

    def _reply(self, msg: dict[str, str]) -> str:
        if msg.get("Action", "").lower() != "originate":
            return super()._reply(msg)
        aid, (response, reason) = msg.get("ActionID", ""), self.originate
        return (
            f"Response: Success\r\nActionID: {aid}\r\nMessage: Originate successfully queued\r\n\r\n"
            f"Event: OriginateResponse\r\nActionID: {aid}\r\nResponse: {response}\r\n"
            f"Channel: {msg.get('Channel', '')}\r\nReason: {reason}\r\n\r\n"
        )

    def originates(self) -> list[dict[str, str]]:
        """Every Originate received, its headers without the ActionID."""
        return [
            {k: v for k, v in m.items() if k != "ActionID"}
            for m in self.received
            if m.get("Action", "").lower() == "originate"
        ]


class Recorder:
    """What the ACD runtime writes to the call store (the store itself is tested elsewhere)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, Any]]] = []

    def event(self, key: str, at: datetime, kind: str, data: dict[str, Any]) -> None:
        self.events.append((key, kind, data))


def rig_settings(db_url: str, tmp: Path, ami_port: int) -> Settings:
    return Settings.model_validate(
        {
            "company": "平安县",
            "agents": [
                {"id": "001", "extension": "1001", "secret": "pw1001-x"},
                {"id": "002", "extension": "1002", "secret": "pw1002-x"},
            ],
            "supervisors": [
                {"user": "wang", "extension": "1101", "secret": "pw1101-x"},
                {"user": "li", "extension": "1102", "secret": "pw1102-x"},  # never registered
            ],
            "ami": {"host": "127.0.0.1", "port": ami_port, "username": "hotline", "secret": AMI_SECRET},
            "acd": {"state_file": str(tmp / "agents.json"), "auto_login": True},
            "peak": {"flag_file": str(tmp / "peak_mode")},
            "database": {"url": db_url},
            "web": {"secret_file": str(tmp / "web_secret")},
        }
    )


@dataclass
class Rig:
    app: Starlette
    settings: Settings
    engine: AsyncEngine
    ami_server: AsteriskLikeAmi
    ami: AmiClient
    acd: AcdRuntime
    peak: PeakMode
    clock: FakeClock
    offload: ThreadPoolExecutor
    bus_events: list[dict[str, Any]] = field(default_factory=list)
    clients: list[httpx.AsyncClient] = field(default_factory=list)  # closed with the rig

    def talking(self, agent_id: str, call_id: str) -> None:
        """A caller queued and `agent_id` (the only ready agent) answered it."""
        self.acd.join(call_id, "fault", 0, self.clock())
        self.acd.feed(ev.OfferAnswered(call_id, agent_id))
        assert self.acd.agent(agent_id).state == "talking"

    async def audit(self, action: str) -> list[tuple[str, dict[str, Any]]]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(AuditRow).where(AuditRow.action == action))).all()
        return [(r.username, json.loads(r.detail)) for r in rows]

    async def close(self) -> None:
        for c in self.clients:
            await c.aclose()
        self.ami.close()
        await self.ami_server.stop()
        self.offload.shutdown()


async def start_rig(engine: AsyncEngine, db_url: str, tmp: Path) -> Rig:
    server = AsteriskLikeAmi(contacts=["1001", "1002", "1101"])
    await server.start()
    s = rig_settings(db_url, tmp, server.port)
    clock = FakeClock(T0)
    bus = EventBus(None)
    acd = AcdRuntime(s, Recorder(), bus, clock, Path(s.acd.state_file), FakeScheduler(clock))
    ami = AmiClient(s.ami)
    ami.on_registration = acd.registration  # as the daemon wires it
    ami.start()
    await ami.wait_connected(5)
    offload = ThreadPoolExecutor(2, thread_name_prefix="test-offload")
    peak = PeakMode(s.peak, engine, bus, clock)
    rig = Rig(
        _app(s, engine, clock, offload, acd, ami, peak), s, engine, server, ami, acd, peak, clock, offload
    )
    bus.listeners.add(rig.bus_events.append)
    return rig


def _app(
    s: Settings,
    engine: AsyncEngine,
    clock: FakeClock,
    offload: ThreadPoolExecutor,
    acd: AcdRuntime,
    ami: AmiClient,
    peak: PeakMode,
) -> Starlette:
    assert s.web is not None
    deps = WebDeps(settings=s, web=s.web, engine=engine, clock=clock, offload=offload)
    kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))

    @require("supervisor", "admin")
    async def board(request: Request) -> Response:  # the wallboard's template, without the live board
        return page(request, "wallboard.html", {"mode": "desk", "modes": {"wall": "大屏", "desk": "桌面"}})

    routes = [
        *auth_routes(deps, kit=kit),
        *supervise_routes(deps, acd, ami, peak),
        Route("/board", board),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[auth_middleware(deps, kit=kit)])
    app.state.company = s.company
    return app
