"""`hotline supervise`'s core (hotline/daemon/supervisor.py) with real child processes that speak
the notify protocol: a frozen child (SIGSTOP) is killed and started again within the watchdog
limit, a crashed one is restarted, one that never gets ready is killed, SIGTERM passes on, so do
SIGHUP and SIGUSR1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from polling import until

from hotline.daemon.supervisor import Supervisor

CHILD = """
import os, socket, sys, time
from pathlib import Path
pids = Path(sys.argv[1])
with pids.open("a") as f:
    f.write(f"{os.getpid()}\\n")
mode = sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
say = lambda text: sock.sendto(text.encode(), os.environ["NOTIFY_SOCKET"])
if mode == "exit_at_once":
    sys.exit(4)
if mode == "ignore_term":
    import signal
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode == "note_signals":  # each SIGHUP / SIGUSR1 noted in a file beside the pids
    import signal
    def note(sig, _frame):
        with (pids.parent / "signals").open("a") as f:
            f.write(signal.Signals(sig).name + "\\n")
    for sig in (signal.SIGHUP, signal.SIGUSR1):
        signal.signal(sig, note)
if mode != "never_ready":
    say("READY=1")
if mode == "crash" and len(pids.read_text().split()) == 1:
    sys.exit(3)
interval = int(os.environ["WATCHDOG_USEC"]) / 2e6
while True:
    time.sleep(interval)
    if mode != "never_ready":
        say("WATCHDOG=1")
"""


def supervisor(tmp_path: Path, mode: str, **kw: float) -> tuple[Supervisor, Path]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    pids = tmp_path / "pids"
    timings = {"watchdog_s": 0.6, "restart_s": 0.1, "start_timeout_s": 5.0, "stop_timeout_s": 5.0, **kw}
    return Supervisor([sys.executable, str(script), str(pids), mode], **timings), pids


def started(pids: Path) -> list[int]:
    return [int(p) for p in pids.read_text().split()] if pids.exists() else []


async def test_a_frozen_child_is_killed_and_started_again_within_the_watchdog_limit(tmp_path):
    sup, pids = supervisor(tmp_path, "ping")
    running = asyncio.create_task(sup.run())
    await until(lambda: started(pids) and sup.ready_pid == started(pids)[0], 10, "first child ready")
    frozen_at = time.monotonic()
    os.kill(started(pids)[0], signal.SIGSTOP)
    await until(lambda: len(started(pids)) == 2, 10, "the child started again")
    restarted_s = time.monotonic() - frozen_at
    assert restarted_s < 0.6 + 1.0, restarted_s  # the limit, a poll, the restart pause, the start
    sup.stop()
    assert await asyncio.wait_for(running, 10) == -signal.SIGTERM
    print(f"\nfrozen child killed and running again after {restarted_s:.2f} s (watchdog 0.6 s)")


async def test_a_child_that_exits_by_itself_is_started_again(tmp_path):
    sup, pids = supervisor(tmp_path, "crash")
    running = asyncio.create_task(sup.run())
    await until(lambda: len(started(pids)) == 2, 10, "restarted after exit status 3")
    sup.stop()
    await asyncio.wait_for(running, 10)
    assert sup.starts == 2


async def test_a_child_that_never_gets_ready_is_killed_after_the_start_timeout(tmp_path):
    sup, pids = supervisor(tmp_path, "never_ready", start_timeout_s=0.5)
    running = asyncio.create_task(sup.run())
    await until(lambda: len(started(pids)) >= 2, 10, "killed and started again")
    sup.stop()
    await asyncio.wait_for(running, 10)


async def test_sigterm_that_the_child_ignores_ends_in_sigkill_after_the_stop_timeout(tmp_path):
    sup, pids = supervisor(tmp_path, "ignore_term", stop_timeout_s=0.5)
    running = asyncio.create_task(sup.run())
    await until(lambda: started(pids) and sup.ready_pid == started(pids)[0], 10, "child ready")
    sup.stop()
    assert await asyncio.wait_for(running, 10) == -signal.SIGKILL
    assert len(started(pids)) == 1  # not restarted while stopping


async def test_children_that_never_get_ready_five_times_in_a_row_end_the_supervision(tmp_path):
    sup, pids = supervisor(tmp_path, "exit_at_once", restart_s=0.01)
    assert await asyncio.wait_for(sup.run(), 20) == 4
    assert len(started(pids)) == 5 and sup.failed_starts == 5


async def test_sighup_and_sigusr1_are_passed_on_to_the_child(tmp_path):
    sup, pids = supervisor(tmp_path, "note_signals")
    running = asyncio.create_task(sup.run())
    noted = tmp_path / "signals"
    try:
        await until(lambda: started(pids) and sup.ready_pid == started(pids)[0], 10, "child ready")
        os.kill(os.getpid(), signal.SIGHUP)  # the supervisor is this process
        await until(noted.exists, 10, "the child got SIGHUP")
        os.kill(os.getpid(), signal.SIGUSR1)
        await until(lambda: noted.read_text().split() == ["SIGHUP", "SIGUSR1"], 10, "and SIGUSR1")
    finally:
        sup.stop()
        await asyncio.wait_for(running, 10)
    assert len(started(pids)) == 1
