"""CPU per AGI command when Asterisk answers at once vs after a pause: what a quiet loop pays.

In a call, Asterisk answers STREAM FILE when the prompt ends or a key comes, seconds later, so at
a few dozen callers the daemon's loop sleeps between most replies and wakes for each. This bench
measures the daemon's CPU per command (its FastAGI server and channel, `stream_file`) both ways,
against a bare asyncio Protocol doing the same exchange (write a line, wait for the reply line)
as the baseline, in the same run, on the daemon's event loop (uvloop). The scripted 'Asterisk'
is a child process (its CPU is not counted): SESSIONS connections one after another, COMMANDS
commands each, every reply sent at once or PAUSE_S after the command.
Prints µs of CPU per command (this process, time.process_time) per side and pause, and the
ratios: a pause's cost over back-to-back, and the daemon's channel over the bare Protocol.
Run: .venv/bin/python bench/fastagi_wake_cost.py
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from hotline.asterisk.fastagi.channel import AgiChannel
from hotline.asterisk.fastagi.protocol import command_line
from hotline.asterisk.fastagi.server import FastAgiServer
from hotline.daemon.event_loop import loop_factory
from hotline.settings import Settings

SESSIONS, COMMANDS = 30, 20
PAUSE_S = 0.02
ROUNDS = 3
HEADERS = b"agi_network: yes\nagi_network_script: bench\nagi_uniqueid: 1.1\n\n"
PROMPT, KEYS = "/var/lib/hotline/prompts/menu_main", "0123456789*#"
COMMAND = command_line("STREAM FILE", PROMPT, KEYS)  # what the channel sends, built once for the bare side
ASTERISK = """
import socket, sys, time
port, sessions, commands, pause = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
for _ in range(sessions):
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(HEADERS)
        lines = conn.makefile("rb")
        for _ in range(commands):
            if not lines.readline():
                sys.exit("the server closed the session early")
            if pause:
                time.sleep(pause)
            conn.sendall(b"200 result=0 endpos=8000\\n")
"""
Serve = Callable[[asyncio.Event], Awaitable[int]]  # starts a server, returns its port


def after_sessions(stop_server: Callable[[], None], done: asyncio.Event) -> Callable[[], None]:
    """A callback for each finished session: once all SESSIONS have, stop the server, set `done`."""
    left = SESSIONS

    def one_finished() -> None:
        nonlocal left
        left -= 1
        if left == 0:
            stop_server()
            done.set()

    return one_finished


async def measure(serve: Serve, pause: float) -> float:
    """µs of this process's CPU per command over SESSIONS x COMMANDS exchanges."""
    done = asyncio.Event()
    port = await serve(done)
    code = f"HEADERS = {HEADERS!r}\n{ASTERISK}"
    args = [str(port), str(SESSIONS), str(COMMANDS), str(pause)]
    child = subprocess.Popen([sys.executable, "-c", code, *args])
    try:
        t0 = time.process_time()
        await asyncio.wait_for(done.wait(), 60 + SESSIONS * COMMANDS * pause * 2)
        used = time.process_time() - t0
    finally:
        child.wait(30)
    if child.returncode:
        raise RuntimeError(f"the scripted Asterisk failed (exit {child.returncode})")
    return 1e6 * used / (SESSIONS * COMMANDS)


async def serve_daemon(done: asyncio.Event) -> int:
    async def handler(chan: AgiChannel) -> None:
        for _ in range(COMMANDS):
            await chan.stream_file(PROMPT, KEYS)
        finished()

    server = FastAgiServer({"bench": handler}, host="127.0.0.1", port=0)
    finished = after_sessions(server.stop_accepting, done)
    await server.start()
    return server.port


class BareSession(asyncio.Protocol):
    """The least a session can do: after the header block, write a command, wait for a line."""

    def __init__(self, on_done: Callable[[], None]) -> None:
        self.on_done = on_done
        self.buffer = b""
        self.left = COMMANDS
        self.started = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.WriteTransport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.started:
            if b"\n\n" not in self.buffer:
                return
            self.started, self.buffer = True, b""
        elif b"\n" in self.buffer:
            self.buffer = b""
            self.left -= 1
        if self.left:
            self.transport.write(COMMAND)
        else:
            self.transport.close()
            self.on_done()


async def serve_bare(done: asyncio.Event) -> int:
    finished = after_sessions(lambda: server.close(), done)  # one count for all the sessions
    server = await asyncio.get_running_loop().create_server(lambda: BareSession(finished), "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    return port


async def main() -> None:
    sides: dict[str, Serve] = {"bare asyncio Protocol": serve_bare, "hotline FastAGI channel": serve_daemon}
    figures: dict[tuple[str, float], list[float]] = {}
    for _ in range(ROUNDS):  # interleaved, so drift hits every figure alike
        for pause in (0.0, PAUSE_S):
            for name, serve in sides.items():
                figures.setdefault((name, pause), []).append(await measure(serve, pause))
    med = {k: statistics.median(v) for k, v in figures.items()}
    print(f"CPU per AGI command, {SESSIONS} sessions x {COMMANDS} commands, median of {ROUNDS} rounds")
    print(f"  {'':26s} {'back to back':>14s} {f'{PAUSE_S * 1000:g} ms pause':>14s} {'pause / none':>13s}")
    for name in sides:
        hot, cold = med[(name, 0.0)], med[(name, PAUSE_S)]
        print(f"  {name:26s} {hot:11.1f} us {cold:11.1f} us {cold / hot:12.2f}x")
    bare, ours = sides
    for pause in (0.0, PAUSE_S):
        ratio = med[(ours, pause)] / med[(bare, pause)]
        print(f"  channel / bare, {f'{pause * 1000:g} ms pause':>13s}: {ratio:5.2f}x")


if __name__ == "__main__":
    with asyncio.Runner(loop_factory=loop_factory(Settings.model_fields["event_loop"].default)) as runner:
        runner.run(main())
