"""What flush() acknowledged is committed: a writer killed with SIGKILL right after loses none of it."""

from __future__ import annotations

import asyncio
import signal
import sys

from sqlalchemy import func, select

from hotline.store import Call, CallEvent, make_engine, upgrade

ACKED_BEFORE_KILL = 1_500  # calls whose start was acknowledged before the kill
DEADLINE_S = 60.0
LAG = 40  # a call ends LAG calls after it started: starts and ends land in different batches

# The writer process: starts calls, logs an event for each, ends each call LAG calls later, and
# after every round prints how many starts (and so how many ends) flush() acknowledged.
WRITER = f"""
import asyncio, sys
from datetime import datetime, timedelta, timezone
from hotline.store import CallRecorder, make_engine

T0 = datetime(2024, 5, 1, 8, 0, 0, tzinfo=timezone.utc)
LAG = {LAG}

async def main(url):
    recorder = CallRecorder(make_engine(url))
    recorder.start()
    i = 0
    while True:
        for _ in range(25):
            recorder.call_started(f"kill.{{i}}", direction="inbound", started_at=T0 + timedelta(seconds=i),
                                  caller_number="13800138000", caller_name=None, dnid="95598", trunk="t")
            recorder.event(f"kill.{{i}}", T0, "menu", {{"i": i}})
            if i >= LAG:
                recorder.call_ended(f"kill.{{i - LAG}}", ended_at=T0 + timedelta(seconds=i),
                                    outcome="ivr_only", talk_s=1.5)
            i += 1
        await recorder.flush()
        print(i, flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def read_acks(proc: asyncio.subprocess.Process, at_least: int) -> int:
    """The writer's last acknowledged count once it reaches `at_least` (fails at the deadline)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    acked = 0
    while acked < at_least:
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=max(0.0, deadline - loop.time()))
        except TimeoutError:
            raise AssertionError(f"the writer acknowledged only {acked} calls in {DEADLINE_S} s") from None
        if not line:
            raise AssertionError(
                f"the writer exited ({await proc.wait()}): {(await proc.stderr.read()).decode()}"
            )
        acked = int(line)
    return acked


async def test_acknowledged_calls_survive_sigkill_of_the_writer(db_url):
    await upgrade(db_url)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITER, db_url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        acked = await read_acks(proc, ACKED_BEFORE_KILL)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)  # mid-write: the writer never pauses between rounds
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL

    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = dict((await conn.execute(select(Call.uniqueid, Call.outcome))).all())
            events = (
                await conn.execute(select(CallEvent.call_uniqueid, CallEvent.data).order_by(CallEvent.id))
            ).all()
            per_call = dict(
                (
                    await conn.execute(
                        select(CallEvent.call_uniqueid, func.count()).group_by(CallEvent.call_uniqueid)
                    )
                ).all()
            )
    finally:
        await engine.dispose()
    for i in range(acked):
        uid = f"kill.{i}"
        assert uid in rows, f"acknowledged start of {uid} lost"
        assert per_call.get(uid) == 1, f"acknowledged event of {uid}: {per_call.get(uid)} rows"
        if i < acked - LAG:
            assert rows[uid] == "ivr_only", f"acknowledged end of {uid} lost"
    written = [data["i"] for _, data in events]
    assert written == sorted(written) and len(set(written)) == len(written)  # in order, each once
    assert len(rows) >= acked
