"""A console app composed for the admin pages' tests: the real auth middleware (sessions, CSRF),
the login routes and the prompts, self-service and outbound routes, on a migrated store, with the
prompts directory in the test's tmp folder. Users log in for real (web_harness.add_user)."""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import wave
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from web_harness import STATIC, Clock, add_user, client, log_in

from hotline.settings import Settings
from hotline.store.web_models import AuditRow
from hotline.web.auth.kit import AuthKit
from hotline.web.auth.passwords import Passwords, fast_hasher_for_tests
from hotline.web.auth.wiring import auth_middleware, auth_routes
from hotline.web.deps import WebDeps
from hotline.web.headers import SecurityHeaders
from hotline.web.outbound_page import outbound_routes
from hotline.web.prompts_page import prompt_routes
from hotline.web.selfservice_page import selfservice_routes

HTML = {"accept": "text/html"}


@dataclass
class Admin:
    app: Starlette
    deps: WebDeps
    prompts_dir: Path
    pokes: list[str] = field(default_factory=list)  # each call of dialer_changed
    users: set[str] = field(default_factory=set)  # the roles with a user made


def admin_settings(db_url: str, tmp: Path) -> Settings:
    return Settings.model_validate(
        {
            "company": "平安县",
            "agents": [{"id": "001", "extension": "1001", "secret": "pw1001-x"}],
            "database": {"url": db_url},
            "web": {"secret_file": str(tmp / "web_secret")},
            # Asterisk reads /var/lib/hotline/prompts; the daemon sees it here (as in the lab's chroot)
            "asterisk": {"prompts_host_dir": str(tmp / "chroot" / "var" / "lib" / "hotline" / "prompts")},
        }
    )


def build_admin(engine: AsyncEngine, settings: Settings, clock: Clock, offload: ThreadPoolExecutor) -> Admin:
    assert settings.web is not None
    deps = WebDeps(settings=settings, web=settings.web, engine=engine, clock=clock, offload=offload)
    kit = AuthKit.build(deps, Passwords(fast_hasher_for_tests()))
    pokes: list[str] = []
    routes = [
        *auth_routes(deps, kit=kit),
        *prompt_routes(deps),
        *selfservice_routes(deps, dialer_changed=lambda: pokes.append("poke")),
        *outbound_routes(deps, dialer_changed=lambda: pokes.append("poke")),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders), auth_middleware(deps, kit=kit)])
    app.state.company = settings.company
    prompts_dir = Path(settings.asterisk.prompts_dir_on_host())
    return Admin(app, deps, prompts_dir, pokes)


@asynccontextmanager
async def session(admin: Admin, role: str | None) -> AsyncIterator[httpx.AsyncClient]:
    """A client logged in as a user of `role` (made on first use; None: logged out)."""
    async with client(admin.app) as c:
        if role is not None:
            if role not in admin.users:
                await add_user(
                    admin.deps.engine, f"{role}1", role, agent_id="001" if role == "agent" else None
                )
                admin.users.add(role)
            assert (await log_in(c, f"{role}1")).status_code == 303
        yield c


async def audit_actions(engine: AsyncEngine) -> list[tuple[str, dict[str, object]]]:
    """(action, detail) of every audit row but logins, in order."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(AuditRow.action, AuditRow.detail).order_by(AuditRow.id))).all()
    return [(a, json.loads(d)) for a, d in rows if not a.startswith("log")]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path -> sha256): equal snapshots, nothing changed."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def tone_wav(seconds: float = 1.5, rate: int = 44100, channels: int = 2, freq: float = 440.0) -> bytes:
    """A studio-like WAV (44.1 kHz stereo 16-bit by default) with a sine tone, made with `wave`."""
    frames = bytearray()
    for i in range(int(rate * seconds)):
        sample = struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
        frames += sample * channels
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def wav_params(path: Path) -> tuple[int, int, int, float]:
    """(rate, channels, bits, seconds) of a WAV file."""
    with wave.open(str(path), "rb") as w:
        return w.getframerate(), w.getnchannels(), 8 * w.getsampwidth(), w.getnframes() / w.getframerate()
