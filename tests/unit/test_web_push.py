"""The wallboard push: one render per change burst, shared by every watcher; slow watchers skip."""

import asyncio

from hotline.web.live.push import Broadcast


async def test_changes_in_one_burst_are_one_render_seen_by_every_watcher() -> None:
    version = 0

    def render() -> bytes:
        return str(version).encode()

    board = Broadcast(render, min_interval_s=0.0)
    streams = [board.watch(heartbeat_s=60) for _ in range(3)]
    assert [await anext(s) for s in streams] == [b"0", b"0", b"0"]  # the state at once
    assert board.watchers == 3
    pushes = board.pushes
    version = 1
    for _ in range(10):
        board.changed()
    assert [await anext(s) for s in streams] == [b"1", b"1", b"1"]
    assert board.pushes == pushes + 1
    board.close()
    for s in streams:
        assert await anext(s, None) is None  # the stream ends
    assert board.watchers == 0


async def test_a_slow_watcher_gets_the_newest_state_not_a_backlog() -> None:
    version = [0]
    board = Broadcast(lambda: str(version[0]).encode(), min_interval_s=0.0)
    stream = board.watch(heartbeat_s=60)
    assert await anext(stream) == b"0"
    for v in range(1, 6):
        version[0] = v
        board.changed()
        await asyncio.sleep(0)  # let the push run: five renders while the watcher does not read
    assert board.pushes == 5
    assert await anext(stream) == b"5"
    board.close()


async def test_changes_closer_than_the_interval_wait_for_it() -> None:
    now = [100.0]
    board = Broadcast(lambda: b"x", min_interval_s=0.5, clock=lambda: now[0])
    stream = board.watch(heartbeat_s=60)
    await anext(stream)
    board.changed()
    await anext(stream)  # first push at once
    pushes = board.pushes
    board.changed()  # 0 s after it (the clock stands still): scheduled 0.5 s later, not at once
    for _ in range(3):
        await asyncio.sleep(0)
    assert board.pushes == pushes
    board.close()


async def test_a_quiet_stream_sends_heartbeats() -> None:
    board = Broadcast(lambda: b"x")
    stream = board.watch(heartbeat_s=0.01)
    assert await anext(stream) == b"x"
    assert await anext(stream) is None
    board.close()
