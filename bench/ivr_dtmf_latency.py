"""DTMF -> next prompt latency added by the daemon with 200 calls in the menu at once.

The daemon runs as `run_daemon(..., ami_enabled=False)` in a child process (`python -c`, SQLite in
a temp dir, 250 inbound lines). 200 scripted FastAGI calls connect, get through the greeting and wait
at the top menu until all 200 are there; then each walks 4 * 4 * ... 0 by answering the
interruptible STREAM FILE with `200 result=<ord(key)>`, and times from writing that reply to
receiving the next command (the next menu's STREAM FILE). Baseline, same run, same client: a
bare asyncio server (also a child process) that answers each reply with the next STREAM FILE at
once, so the difference is what the daemon adds over loopback + client.

Two load shapes: paced (each caller listens 0.2-1.0 s before each key: ~330 keys/s in all) and
flood (every caller presses the next key the instant its prompt starts: throughput-bound, the
worst case). Prints p50/p95/p99/max in ms (target: daemon p99 < 20 ms, paced).
Run: .venv/bin/python bench/ivr_dtmf_latency.py [CALLS] [PAIRS]
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

from ivr_per_call_cost import DAEMON_CHILD, b64, daemon_config, pct, start_child, stop_child

INTERRUPTIBLE = '"0123456789*#"'
PACED = (0.2, 1.0)

BARE_CHILD = r"""
import asyncio, signal
MENUS = (b'STREAM FILE "/p/menu_top" "0123456789*#"\n', b'STREAM FILE "/p/menu_guide" "0123456789*#"\n')

async def call(reader, writer):
    try:
        await reader.readuntil(b"\n\n")
        writer.write(b'STREAM FILE "/p/greeting" ""\n')
        await reader.readline()
        i = 0
        while True:
            writer.write(MENUS[i % 2])
            i += 1
            reply = await reader.readline()
            if reply == b"200 result=48\n":  # key 0: the agent
                writer.write(b'STREAM FILE "/p/transfer_agent" ""\n')
                await reader.readline()
                return
            if not reply:
                raise ConnectionError(f"the caller left after {i} prompts")
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(call, "127.0.0.1", 0, backlog=512)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("READY", server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()

asyncio.run(main())
"""


class Barrier:
    """Releases every caller once all of them sit in the top menu."""

    def __init__(self, n: int):
        self.n, self.arrived, self.go = n, 0, asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        if self.arrived == self.n:
            self.go.set()
        await self.go.wait()


async def caller(
    port: int,
    uid: str,
    keys: str,
    think: tuple[float, float] | None,
    barrier: Barrier,
    rng: random.Random,
    out: list[float],
) -> None:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(
        (
            f"agi_network: yes\nagi_network_script: inbound\nagi_uniqueid: {uid}\n"
            f"agi_channel: PJSIP/trunk-{uid}\nagi_callerid: 13800138000\nagi_dnid: 95598\n"
            f"agi_arg_1: {b64('13800138000')}\nagi_arg_2: {b64('')}\n\n"
        ).encode()
    )
    left, pressed_at, hung_up, in_menu, transferred = list(keys), None, False, False, False
    try:
        while line := await r.readline():
            if pressed_at is not None:
                out.append(time.perf_counter() - pressed_at)
                pressed_at = None
            cmd = line.decode().rstrip("\n")
            transferred = transferred or "/transfer_agent" in cmd
            if hung_up:
                w.write(b"511 Command Not Permitted on a dead channel or intercept routine\n")
            elif cmd.startswith("EXEC"):  # the daemon rings the agents: the caller hangs up
                w.write(b"HANGUP\n200 result=-1\n")
                hung_up = True
            elif cmd.startswith("STREAM FILE") and cmd.endswith(INTERRUPTIBLE) and left:
                if not in_menu:
                    in_menu = True
                    await barrier.wait()
                if think is not None:  # the caller listens to the prompt a while (load shape)
                    await asyncio.sleep(rng.uniform(*think))
                pressed_at = time.perf_counter()
                w.write(f"200 result={ord(left.pop(0))}\n".encode())
            else:
                w.write(b"200 result=0\n")
    finally:
        w.close()
    if left or not transferred:
        raise RuntimeError(
            f"call {uid} ended with keys {''.join(left)!r} unpressed (transferred: {transferred})"
        )


async def one_run(
    port: int, tag: str, calls: int, pairs: int, think: tuple[float, float] | None
) -> list[float]:
    out: list[float] = []
    barrier = Barrier(calls)
    keys = "4*" * pairs + "0"
    await asyncio.wait_for(
        asyncio.gather(
            *(caller(port, f"{tag}.{i}", keys, think, barrier, random.Random(i), out) for i in range(calls))
        ),
        300,
    )
    if len(out) != calls * len(keys):
        raise RuntimeError(f"{len(out)} latencies for {calls} calls x {len(keys)} keys")
    return out


def row(name: str, lat: list[float]) -> str:
    return (
        f"  {name:26}" + "".join(f"{pct(lat, p) * 1e3:8.2f}" for p in (50, 95, 99)) + f"{max(lat) * 1e3:8.2f}"
    )


async def main(calls: int, pairs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-dtmf-") as tmp:
        work = Path(tmp)
        results = {}
        daemon = await start_child("daemon", DAEMON_CHILD, daemon_config(work, 250), work)
        try:
            bare = await start_child("bare", BARE_CHILD, {}, work)
            try:
                await one_run(daemon.port, "warm", 20, 2, None)  # imports, caches, the SQLite file
                for shape, think in (("paced", PACED), ("flood", None)):
                    b = await one_run(bare.port, f"b-{shape}", calls, pairs, think)
                    d = await one_run(daemon.port, f"d-{shape}", calls, pairs, think)
                    results[shape] = (b, d)
            finally:
                await stop_child(bare)
        finally:
            await stop_child(daemon)
    print(
        f"DTMF -> next prompt, {calls} concurrent calls x {2 * pairs + 1} keys "
        f"(4 * ... 0), latency in ms, same client"
    )
    print(f"  {'':26}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}")
    for shape, (b, d) in results.items():
        label = (
            f"paced: {PACED[0]}-{PACED[1]} s between keys"
            if shape == "paced"
            else "flood: next key at once (throughput-bound)"
        )
        print(f" {label}")
        print(row("bare asyncio server", b))
        print(row("hotline daemon", d))
        added = [pct(d, p) - pct(b, p) for p in (50, 95, 99)] + [max(d) - max(b)]
        print(f"  {'added by the daemon':26}" + "".join(f"{a * 1e3:8.2f}" for a in added))
    p99 = pct(results["paced"][1], 99)
    print(f"  target: daemon p99 < 20 ms (paced): {'met' if p99 < 0.020 else 'MISSED'}")


if __name__ == "__main__":
    asyncio.run(
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, int(sys.argv[2]) if len(sys.argv) > 2 else 8)
    )
