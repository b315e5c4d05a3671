"""What the console's pages need from the daemon, handed to `build_app` once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.settings import Settings, WebConsole


@dataclass(frozen=True)
class WebDeps:
    settings: Settings
    web: WebConsole
    engine: AsyncEngine
    clock: Callable[[], datetime]
    offload: Executor  # heavy work (a year report) runs here, never on the calls' event loop
