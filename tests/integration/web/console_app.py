"""A console app composed for the tests from the reports routes, and a STAND-IN for the session
middleware: it puts a fixed user (or None) and a CSRF token on `request.state`, as the real one
(hotline.web.auth.middleware, tested in test_web_login / test_web_csrf) does after checking the
signed session cookie; the daemon's real app is walked with real logins in test_console_roles."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from hotline.settings import Settings, load_settings
from hotline.web.auth.roles import CurrentUser, Role
from hotline.web.deps import WebDeps
from hotline.web.reports_page import report_routes

STAND_IN_CSRF = "stand-in-csrf-token"


def user_of(role: str | None) -> CurrentUser | None:
    if role is None:
        return None
    return CurrentUser(id=7, username=f"{role}1", role=Role(role), agent_id=None, display_name="张班长")


class StandInSessionMiddleware:
    """Every request is made by `user` (None = logged out)."""

    def __init__(self, app: ASGIApp, user: CurrentUser | None) -> None:
        self.app, self.user = app, user

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = scope.setdefault("state", {})
            state["user"] = self.user
            state["csrf_token"] = STAND_IN_CSRF
        await self.app(scope, receive, send)


class CountingExecutor(ThreadPoolExecutor):
    """The offload pool, counting the jobs handed to it (a refused request must hand it none)."""

    def __init__(self) -> None:
        super().__init__(max_workers=2, thread_name_prefix="test-offload")
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def write_config(path: Path, db_url: str, agent_name: str = "座席一") -> Settings:
    """A site config like `hotline report`'s tests use (company 平安县, agents 001 and 004)."""
    path.write_text(
        f"""company: 平安县
database:
  url: {db_url}
agents:
  - {{id: "001", extension: "1001", secret: pw1001-lab, name: "{agent_name}"}}
  - {{id: "004", extension: "1004", secret: pw1004-lab, name: 新人}}
web: {{port: 0}}
""",
        encoding="utf-8",
    )
    return load_settings(path)


def make_deps(settings: Settings, offload: Executor, now: datetime) -> WebDeps:
    """The deps the reports page reads. The daemon's engine is None here: the page must never use
    it (a report makes its own engine off the loop), and would fail loudly if it did."""
    assert settings.web is not None
    return WebDeps(settings, settings.web, engine=None, clock=lambda: now, offload=offload)  # type: ignore[arg-type]


def console_app(deps: WebDeps, role: str | None, static_dir: Path) -> Starlette:
    app = Starlette(
        routes=[*report_routes(deps), Mount("/static", StaticFiles(directory=static_dir), name="static")]
    )
    app.state.company = deps.settings.company
    app.add_middleware(StandInSessionMiddleware, user=user_of(role))
    return app
