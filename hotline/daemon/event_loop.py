"""The daemon's event loop: uvloop (libuv's loop, as uvicorn uses) unless the config says asyncio.

Every call's FastAGI round trips, the AMI stream, the store's thread hand-offs and the web
console's requests go through the loop, so its own cost is a large share of the daemon's CPU per
call. bench/capacity.py runs the same step on both, alternating, and prints the difference
(README "Capacity and speed"). The standard library's loop stays one setting away
(`event_loop: asyncio`), for a platform without uvloop or to rule the loop out while chasing a bug.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """A function that makes a new loop of this kind (for `asyncio.Runner(loop_factory=...)`)."""
    if name == "asyncio":
        return asyncio.new_event_loop
    if name == "uvloop":
        try:
            import uvloop
        except ImportError:
            raise RuntimeError(
                "event_loop: uvloop, but the uvloop package is not installed"
                " (install it, or set `event_loop: asyncio` in the config)"
            ) from None
        return uvloop.new_event_loop
    raise ValueError(f"unknown event loop {name!r}; known: uvloop, asyncio")


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """What kind of loop runs the daemon, for its ready line: 'uvloop' or 'asyncio'."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
