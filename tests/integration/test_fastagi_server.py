"""The hardened FastAGI server over real loopback sockets, with a scripted 'Asterisk' client."""

import asyncio
import time

import pytest
from polling import forever, until

from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.errors import AgiHangup
from hotline.asterisk.fastagi.server import FastAgiServer

HEADERS = b"agi_network: yes\nagi_network_script: test\nagi_uniqueid: 1700000000.1\nagi_arg_1: x\n\n"


async def start(handler, **kw) -> FastAgiServer:
    server = FastAgiServer({"test": handler}, host="127.0.0.1", port=0, **kw)
    await server.start()
    return server


async def stop(server: FastAgiServer) -> None:
    server.stop_accepting()
    await server.drain(1.0)


async def connect(server):
    return await asyncio.open_connection("127.0.0.1", server.port)


async def test_commands_round_trip_and_hangup_line_is_not_a_reply():
    seen = {}

    async def handler(chan: AgiChannel):
        seen["args"] = chan.args
        await chan.answer()
        seen["digit"] = await chan.stream_file("/p/greeting", "0123456789*#")
        seen["var"] = await chan.get_variable("DIALSTATUS")
        try:
            await chan.stream_file("/p/goodbye")
        except AgiHangup:
            seen["hangup"] = True

    server = await start(handler)
    r, w = await connect(server)
    w.write(HEADERS)
    assert await r.readline() == b"ANSWER\n"
    w.write(b"200 result=0\n")
    assert await r.readline() == b'STREAM FILE "/p/greeting" "0123456789*#"\n'
    w.write(b"200 result=49 endpos=800\n")
    assert await r.readline() == b'GET VARIABLE "DIALSTATUS"\n'
    w.write(b"HANGUP\n200 result=1 (ANSWER)\n")  # unsolicited HANGUP just before the reply
    assert await r.readline() == b'STREAM FILE "/p/goodbye" ""\n'
    w.write(b"511 Command Not Permitted on a dead channel or intercept routine\n")
    assert await r.read() == b""  # server closed the session
    assert seen == {"args": ["x"], "digit": "1", "var": "ANSWER", "hangup": True}
    await stop(server)


async def test_hangup_while_idle_wakes_the_session_at_once():
    outcome = asyncio.get_running_loop().create_future()

    async def handler(chan: AgiChannel):
        try:
            await chan.until_hangup_or(forever())
        except AgiHangup:
            outcome.set_result(time.monotonic())

    server = await start(handler)
    r, w = await connect(server)
    w.write(HEADERS)
    await w.drain()
    t0 = time.monotonic()
    w.write(b"HANGUP\n")
    done_at = await asyncio.wait_for(outcome, 5)
    assert done_at - t0 < 0.5
    await stop(server)


async def test_probes_and_garbage_do_not_stall_a_call_in_progress():
    replies = []

    async def handler(chan: AgiChannel):
        for _ in range(200):
            replies.append((await chan.command("NOOP")).result)

    server = await start(handler, header_timeout=0.5)
    r, w = await connect(server)
    w.write(HEADERS)

    async def asterisk():
        for _ in range(200):
            assert await r.readline() == b"NOOP\n"
            w.write(b"200 result=0\n")

    async def probes():
        for i in range(1000):
            pr, pw = await connect(server)
            if i % 10 == 0:
                pw.write(b"garbage without headers\n\n")
            pw.close()

    t0 = time.monotonic()
    await asyncio.wait_for(asyncio.gather(asterisk(), probes()), 30)
    assert replies == [0] * 200
    await until(lambda: server.rejected >= 1000 and server.active <= 1, 5, "all probes rejected")
    assert time.monotonic() - t0 < 30
    await stop(server)


async def test_silent_connection_is_dropped_at_the_header_timeout():
    server = await start(lambda chan: None, header_timeout=0.2)
    r, w = await connect(server)
    w.write(b"agi_network: yes\n")  # never finishes the block
    assert await asyncio.wait_for(r.read(), 3) == b""
    assert server.rejected == 1
    await stop(server)


async def test_oversized_header_block_is_refused():
    server = await start(lambda chan: None, max_header_bytes=1024)
    r, w = await connect(server)
    w.write(b"agi_x: " + b"a" * 4000 + b"\n\n")
    assert await asyncio.wait_for(r.read(), 3) == b""
    assert server.rejected == 1
    await stop(server)


async def test_shutdown_cancels_calls_after_the_grace_deadline():
    started = asyncio.Event()

    async def handler(chan):
        started.set()
        await chan.until_hangup_or(forever())

    server = await start(handler)
    r, w = await connect(server)
    w.write(HEADERS)
    await asyncio.wait_for(started.wait(), 3)
    server.stop_accepting()
    assert await server.drain(0.2) == 1
    with pytest.raises(OSError, match="Connect call failed"):
        await connect(server)
