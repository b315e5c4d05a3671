"""Waiting in tests: poll a condition until a deadline (never sleep a fixed time and hope)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

POLL_S = 0.02


async def until(pred: Callable[[], bool | Awaitable[bool]], timeout: float, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        ok = pred()
        if asyncio.iscoroutine(ok):
            ok = await ok
        if ok:
            return
        if loop.time() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s")
        await asyncio.sleep(POLL_S)


def wait_until(pred: Callable[[], bool], timeout: float, what: str = "condition") -> None:
    """`until` for plain (non-async) tests: poll `pred` until a deadline."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s")
        time.sleep(POLL_S)


def forever() -> asyncio.Future:
    """An awaitable that never completes on its own (a caller idling until hang-up)."""
    return asyncio.get_running_loop().create_future()
