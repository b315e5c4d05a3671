"""FastAGI round trip per AGI command: the daemon's server + channel vs a bare asyncio server.

Both servers send N commands over one loopback connection and wait for each reply; the same
scripted 'Asterisk' client answers both. Prints µs per round trip and the ratio (target <= 1.3).
Run: .venv/bin/python bench/fastagi_roundtrip.py [N]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.server import FastAgiServer

HEADERS = b"agi_network: yes\nagi_network_script: bench\nagi_uniqueid: 1.1\n\n"


async def asterisk(port: int, n: int) -> None:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(HEADERS)
    for _ in range(n):
        await r.readline()
        w.write(b"200 result=0\n")
    await r.read()
    w.close()


async def run_daemon_server(n: int) -> float:
    done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    async def handler(chan: AgiChannel) -> None:
        t0 = time.perf_counter()
        for _ in range(n):
            await chan.command("NOOP")
        done.set_result(time.perf_counter() - t0)

    server = FastAgiServer({"bench": handler}, host="127.0.0.1", port=0)
    await server.start()
    await asyncio.gather(asterisk(server.port, n), done)
    server.stop_accepting()
    await server.drain(1)
    return done.result() / n


async def run_bare_server(n: int) -> float:
    done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        t0 = time.perf_counter()
        for _ in range(n):
            writer.write(b"NOOP\n")
            await reader.readline()
        done.set_result(time.perf_counter() - t0)
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    await asyncio.gather(asterisk(port, n), done)
    server.close()
    await server.wait_closed()
    return done.result() / n


async def main(n: int, rounds: int = 7) -> None:
    daemon, bare = [], []
    for _ in range(rounds):  # interleaved, so drift hits both alike
        bare.append(await run_bare_server(n))
        daemon.append(await run_daemon_server(n))
    d, b = statistics.median(daemon), statistics.median(bare)
    print(f"FastAGI round trip, {n} commands x {rounds} rounds (median of rounds)")
    print(f"  bare asyncio server : {b * 1e6:8.1f} us/command")
    print(f"  hotline FastAGI     : {d * 1e6:8.1f} us/command")
    print(f"  ratio               : {d / b:8.2f}x   (target <= 1.3x)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000))
