"""Every AGI command's reply has a deadline, watched by one timer per channel (channel.py)."""

from __future__ import annotations

import asyncio
import gc
import time
import weakref

import pytest
from polling import until

from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiTimeout
from hotline.asterisk.fastagi.server import FastAgiServer

HEADERS = b"agi_network: yes\nagi_network_script: test\nagi_uniqueid: 1700000000.2\n\n"


async def session(handler, asterisk, reply_timeout: float) -> FastAgiServer:
    """Run one session of `handler` against the scripted `asterisk(reader, writer)`."""
    server = FastAgiServer({"test": handler}, host="127.0.0.1", port=0, reply_timeout=reply_timeout)
    await server.start()
    r, w = await asyncio.open_connection("127.0.0.1", server.port)
    w.write(HEADERS)
    try:
        await asyncio.wait_for(asterisk(r, w), 10)
    finally:
        w.close()
        server.stop_accepting()
        await server.drain(5)
    return server


async def test_a_reply_later_than_its_limit_fails_the_command_naming_it():
    failed = asyncio.get_running_loop().create_future()

    async def handler(chan: AgiChannel):
        t0 = time.monotonic()
        with pytest.raises(AgiTimeout) as exc:
            await chan.command("NOOP")
        failed.set_result((str(exc.value), time.monotonic() - t0))

    async def asterisk(r, w):
        assert await r.readline() == b"NOOP\n"  # and never a reply
        await failed

    await session(handler, asterisk, reply_timeout=0.2)
    message, waited = failed.result()
    assert message == "NOOP: no reply from Asterisk within 0.2 s"
    assert 0.2 <= waited < 2


async def test_a_reply_in_time_is_taken_after_an_earlier_command_s_deadline_passed():
    results = []

    async def handler(chan: AgiChannel):
        for _ in range(2):
            results.append((await chan.command("NOOP")).result)

    async def asterisk(r, w):
        assert await r.readline() == b"NOOP\n"
        first_deadline = time.monotonic() + 0.25  # the timer is set for it
        # Asterisk busy playing: the first reply comes late, not too late ...
        await until(lambda: time.monotonic() > first_deadline - 0.1, 5, "the first reply is late")
        w.write(b"200 result=0\n")
        assert await r.readline() == b"NOOP\n"
        # ... and the second after the first's deadline: the timer fires with the second pending
        await until(lambda: time.monotonic() > first_deadline + 0.05, 5, "the first deadline passed")
        w.write(b"200 result=0\n")
        assert await r.read() == b""

    await session(handler, asterisk, reply_timeout=0.25)
    assert results == [0, 0]


async def test_a_short_limit_after_a_long_one_is_kept():
    failed = asyncio.get_running_loop().create_future()

    async def handler(chan: AgiChannel):
        await chan.command("EXEC", "Dial", timeout=30)  # the timer now waits 30 s
        t0 = time.monotonic()
        with pytest.raises(AgiTimeout, match="within 0.2 s"):
            await chan.command("NOOP", timeout=0.2)
        failed.set_result(time.monotonic() - t0)

    async def asterisk(r, w):
        assert await r.readline() == b'EXEC "Dial"\n'
        w.write(b"200 result=0\n")
        assert await r.readline() == b"NOOP\n"
        await failed

    await session(handler, asterisk, reply_timeout=60)
    assert failed.result() < 2  # its own limit, not the Dial's 30 s


async def test_a_finished_session_leaves_no_timer_holding_its_channel():
    channels: list[weakref.ref[AgiChannel]] = []

    async def handler(chan: AgiChannel):
        channels.append(weakref.ref(chan))
        await chan.command("NOOP")  # arms the timer for 60 s

    async def asterisk(r, w):
        assert await r.readline() == b"NOOP\n"
        w.write(b"200 result=0\n")
        assert await r.read() == b""

    await session(handler, asterisk, reply_timeout=60)
    gc.collect()
    assert channels[0]() is None
