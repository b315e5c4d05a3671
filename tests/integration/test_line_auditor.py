"""The line audit against the daemon's real pieces: a session whose channel Asterisk no longer has
is ended (its line freed, its call recorded), a line nobody owns is freed; live calls are untouched.
The audit is driven check by check (no wall time); AMI is a loopback fake answering CoreShowChannels."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from daemon_settings import daemon_settings
from fake_ami import FakeAmi
from fake_asterisk import FakeCall
from in_process import daemon_in_process
from polling import until
from test_hostile_calls import rows

from acd.line_audit import EndSession, FreeLine
from acd.trunks import Seize
from hotline.daemon.wiring import Running
from hotline.services.line_auditor import LineAuditor
from hotline.settings import Settings


def settings_for(db_url: str, tmp, ami_port: int) -> Settings:
    return daemon_settings(
        db_url,
        tmp,
        ami={"host": "127.0.0.1", "port": ami_port, "username": "hotline", "secret": "s3cret"},
        trunks={"audit_seconds": 3600},  # the daemon's own audit stays out of the way
        shutdown_grace_seconds=1,
    )


@contextlib.asynccontextmanager
async def daemon_on(db_url: str, tmp, ami: FakeAmi) -> AsyncIterator[Running]:
    """The daemon, its AMI connected to `ami` (started and stopped here too)."""
    await ami.start()
    try:
        async with daemon_in_process(settings_for(db_url, tmp, ami.port), ami_enabled=True) as running:
            yield running
    finally:
        await ami.stop()


async def test_a_gone_channel_ends_its_session_and_frees_its_line(db_url, tmp_path):
    ami = FakeAmi(contacts=[], channels=["970.1"])
    async with daemon_on(db_url, tmp_path, ami) as running:
        ctx = running.ctx
        calls = [FakeCall(running.server.port, uid, silent_after=1) for uid in ("970.1", "970.2")]
        tasks = [asyncio.create_task(c.run()) for c in calls]
        await until(lambda: ctx.trunks.in_use("inbound") == 2, 5, "two calls hold lines")
        ctx.trunks.handle(Seize("ghost.1", "inbound"), ctx.clock())  # a line nobody owns
        later = [ctx.clock() + timedelta(seconds=s) for s in (120, 150)]
        auditor = LineAuditor(
            ctx.trunks, running.server, ctx.ami, ctx.metrics, lambda: later[0], interval_s=30, grace_s=60
        )
        assert await auditor.check_once() == []  # missing once: not yet
        later.pop(0)
        verdicts = await auditor.check_once()
        assert {(type(v), v.call_id) for v in verdicts} == {(EndSession, "970.2"), (FreeLine, "ghost.1")}
        await asyncio.wait_for(tasks[1], 5)  # the daemon closed the gone call's socket
        await until(lambda: set(ctx.trunks.calls) == {"970.1"}, 5, "only the live call holds a line")
        await ctx.recorder.flush()
        row = (await rows(db_url))["970.2"]
        assert row.outcome == "failed" and "gone in Asterisk" in row.failure_reason
        assert b"hotline_lines_audited_total 2.0" in ctx.metrics.exposition()[0]
        tasks[0].cancel()


async def test_asterisk_is_not_asked_while_every_line_is_in_its_grace(db_url, tmp_path):
    """Listing every channel costs Asterisk and the daemon CPU in proportion to the calls up; it
    can free nothing while every held line is younger than the grace, so it is not asked then."""
    ami = FakeAmi(contacts=[], channels=["971.1"])
    async with daemon_on(db_url, tmp_path, ami) as running:
        ctx = running.ctx
        call = FakeCall(running.server.port, "971.1", silent_after=1)
        call_task = asyncio.create_task(call.run())
        await until(lambda: ctx.trunks.in_use("inbound") == 1, 5, "the call holds a line")
        at = [ctx.clock() + timedelta(seconds=30)]
        auditor = LineAuditor(
            ctx.trunks, running.server, ctx.ami, ctx.metrics, lambda: at[0], interval_s=30, grace_s=60
        )
        assert await auditor.check_once() == []
        assert "coreshowchannels" not in ami.actions
        at[0] += timedelta(seconds=60)  # the line is past its grace now
        assert await auditor.check_once() == []
        assert ami.actions.count("coreshowchannels") == 1
        call_task.cancel()
