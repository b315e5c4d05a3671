"""A call session that ends for any reason leaves the ACD core: no ghost call is offered to
(and pauses) agents after its caller is gone."""

from __future__ import annotations

import asyncio

from fake_asterisk import FakeCall
from polling import until
from test_hostile_calls import rows

from acd import events as ev


async def test_a_queued_call_whose_session_fails_leaves_the_core(daemon, db_url):
    acd = daemon.ctx.acd
    acd.feed(ev.AgentPause("001", "break"))  # nobody can take the call: it waits
    call = FakeCall(
        daemon.server.port,
        "980.1",
        replies={
            "WAIT FOR DIGIT": b"200 result=48\n",  # 0 = an agent
            'EXEC "StartMusicOnHold"': b"garbage from a broken peer\n",  # the session fails, queued
        },
    )
    await asyncio.wait_for(call.run(), 10)
    await until(lambda: daemon.server.active == 0, 5, "session over")
    assert "980.1" not in acd.core.calls_held()  # gone from the core, not a ghost
    acd.feed(ev.AgentResume("001"))
    assert acd.core.agent("001").state == "ready"  # no offer for a caller who is gone
    await daemon.ctx.recorder.flush()
    (row,) = (await rows(db_url)).values()
    assert row.outcome == "failed" and row.failure_reason.startswith("AgiProtocolError")
