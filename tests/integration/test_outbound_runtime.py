"""The dialer runtime between the pure core, the trunk cap, the store and AMI.

AMI is scripted here (the real Asterisk is in tests/e2e/test_outbound_calls.py): each Originate
waits until the test lets it end with the result it chose, so the tests can see how many calls
are up at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import pytest
from polling import until
from sqlalchemy.ext.asyncio import AsyncEngine

from acd.trunks import Release, Seize, TrunkCapacity
from hotline.bus import EventBus
from hotline.clock import utcnow
from hotline.dialer import store
from hotline.dialer.jobs import callback_job, followup_job
from hotline.observability.dial_refusals import DialRefusals
from hotline.observability.metrics import Metrics
from hotline.services.dialer_attempts import FLOW_START_S
from hotline.services.dialer_driver import OutboundRuntime
from hotline.settings import Settings
from hotline.store.db import make_engine, upgrade

ANY_TIME = {
    "window": "00:00-24:00",
    "extra_workdays": [],
    "followup_delay_minutes": 0,
    "poll_seconds": 0.2,
    "retry_minutes": {"followup": 0.01, "outage_notice": 0.01, "callback": 0.01},
    "max_attempts": {"followup": 2, "outage_notice": 2, "callback": 2},
}


class ScriptedAmi:
    """Originate stays "ringing" until `finish(number, response)`."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.connected.set()
        self.ringing: dict[str, asyncio.Future[dict[str, str]]] = {}
        self.placed: list[str] = []

    async def action(self, fields: Mapping[str, str | list[str]], *, timeout: float) -> list[dict[str, Any]]:
        assert fields["Action"] == "Originate" and fields["Async"] == "true"
        channel = fields["Channel"]
        assert isinstance(channel, str)
        number = channel.split("/")[1].split("@")[0]
        self.placed.append(number)
        self.ringing[number] = asyncio.get_running_loop().create_future()
        try:
            event = await self.ringing[number]
        finally:
            del self.ringing[number]
        return [
            {"Response": "Success", "Message": "Originate successfully queued"},
            {"Event": "OriginateResponse", **event},
        ]

    def finish(self, number: str, **event: str) -> None:
        self.ringing[number].set_result(event)

    def watch_hangup(self, uniqueid: str) -> asyncio.Future[str]:
        fut: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        fut.set_result("")  # causes are mapped in test_originate_outcomes
        return fut

    def unwatch_hangup(self, uniqueid: str) -> None:
        pass


def weekend_proof(today: date) -> list[str]:
    return [
        (today + timedelta(days=i)).isoformat()
        for i in range(3)
        if (today + timedelta(days=i)).weekday() >= 5
    ]


class Rig(NamedTuple):
    rt: OutboundRuntime
    ami: ScriptedAmi
    trunks: TrunkCapacity
    engine: AsyncEngine
    settings: Settings


@asynccontextmanager
async def running_dialer(
    db_url: str, flow_start_s: float = FLOW_START_S, poll_seconds: float = 0.2
) -> AsyncIterator[Rig]:
    await upgrade(db_url)
    engine = make_engine(db_url)
    now = utcnow()
    settings = Settings.model_validate(
        {
            "company": "X",
            "database": {"url": db_url},
            "outbound": {
                **ANY_TIME,
                "extra_workdays": weekend_proof((now + timedelta(hours=8)).date()),
                "poll_seconds": poll_seconds,
            },
        }
    )
    trunks = TrunkCapacity(8, 4)
    ami = ScriptedAmi()
    bus = EventBus(None)
    rt = OutboundRuntime(
        settings,
        engine,
        trunks,
        ami,
        bus,
        utcnow,
        refusals=DialRefusals(bus, Metrics()),
        flow_start_s=flow_start_s,
    )
    task = asyncio.create_task(rt.run())
    yield Rig(rt, ami, trunks, engine, settings)
    for number in list(ami.ringing):
        ami.finish(number, Response="Failure", Reason="3")
    rt.close()
    await asyncio.wait_for(task, 10)
    await engine.dispose()


@pytest.fixture
async def dialer(db_url: str) -> AsyncIterator[Rig]:
    async with running_dialer(db_url) as rig:
        yield rig


def jobs_for(settings: Settings, numbers: list[str], now: datetime) -> list[store.NewJob]:
    return [
        followup_job(
            settings, order=f"T-{n}", kind="repair", number=n, completed_at=now - timedelta(hours=1), now=now
        )
        for n in numbers
    ]


async def finished(engine: AsyncEngine, job_ids: list[str], status: str | None = None) -> bool:
    rows = {r.id: r for r in await store.jobs_for_status(engine, finished_limit=1000)}
    return all(
        rows[j].status not in store.OPEN and (status is None or rows[j].status == status) for j in job_ids
    )


async def test_never_more_calls_than_free_outbound_lines_an_agents_call_counts(dialer: Rig) -> None:
    rt, ami, trunks, engine, settings = dialer
    trunks.handle(Seize("agent-9-call", "outbound"), utcnow())  # an agent dialled 9+number
    numbers = [f"1380000{i:04d}" for i in range(6)]
    await rt.add(jobs_for(settings, numbers, utcnow()))
    await until(lambda: len(ami.ringing) == 3, 5, "3 calls ringing")
    assert trunks.in_use("outbound") == 4
    for n in list(ami.ringing):
        ami.finish(n, Response="Failure", Reason="5")  # busy
    await until(lambda: len(ami.placed) >= 6, 5, "the other jobs dialled as lines free up")
    assert len(ami.ringing) <= 3
    trunks.handle(Release("agent-9-call"), utcnow())


async def test_answered_call_stores_the_key_busy_is_retried_then_given_up(dialer: Rig) -> None:
    rt, ami, trunks, engine, settings = dialer
    jobs = jobs_for(settings, ["13800000111", "13800000120"], utcnow())
    await rt.add(jobs)
    await until(lambda: len(ami.ringing) == 2, 5, "both ringing")
    ami.finish("13800000120", Response="Failure", Reason="5")
    ami.finish("13800000111", Response="Success")
    job = rt.call_answered(jobs[0].id, 1, "dialer-uid-1")
    assert job is not None and job.purpose == "followup" and job.payload["kind"] == "repair"
    assert rt.call_answered(jobs[0].id, 1, "dialer-uid-1") is None  # the same try twice
    rt.call_finished(jobs[0].id, 1, "2")
    await until(
        lambda: ami.placed.count("13800000120") == 2 and "13800000120" in ami.ringing, 5, "busy job retried"
    )
    ami.finish("13800000120", Response="Failure", Reason="5")
    await until(lambda: finished(engine, [j.id for j in jobs]), 5, "both jobs finished")
    assert await store.open_jobs(engine) == []
    rows = {r.id: r for r in await store.jobs_for_status(engine, finished_limit=10)}
    assert (rows[jobs[0].id].status, rows[jobs[0].id].key) == ("done", "2")
    gone = rows[jobs[1].id]
    assert gone.status == "given_up" and "busy" in (gone.reason or "") and gone.attempts == 2
    attempts = await store.attempts_of(engine, jobs[0].id)
    assert [(a.result, a.key, a.uniqueid) for a in attempts] == [("answered", "2", "dialer-uid-1")]
    assert trunks.in_use("outbound") == 0


async def test_answered_but_the_call_flow_never_comes_is_a_failed_try(db_url: str) -> None:
    async with running_dialer(db_url, flow_start_s=0.2) as (rt, ami, trunks, engine, settings):
        (job,) = jobs_for(settings, ["13800000111"], utcnow())
        await rt.add([job])
        await until(lambda: len(ami.ringing) == 1, 5, "ringing")
        ami.finish("13800000111", Response="Success")
        await until(lambda: len(ami.placed) == 2, 5, "retried after the failed try")
        (first, *_) = await store.attempts_of(engine, job.id)
        assert first.result == "failed" and "never reached" in (first.failure_reason or "")


async def test_dnc_number_is_never_dialled_and_jobs_added_by_the_cli_are_picked_up(dialer: Rig) -> None:
    rt, ami, trunks, engine, settings = dialer
    now = utcnow()
    await store.dnc_add(engine, "13800000999", "asked", now)
    jobs = jobs_for(settings, ["13800000999", "13800000111"], now)
    assert len(await store.insert_jobs(engine, jobs)) == 2  # as `hotline outbound done` does
    await until(lambda: "13800000111" in ami.ringing, 5, "the CLI's job dialled")
    await until(lambda: finished(engine, [jobs[0].id], "given_up"), 5, "the DNC job ended")
    assert "13800000999" not in ami.placed
    (attempt,) = await store.attempts_of(engine, jobs[0].id)
    assert attempt.result == "dnc"


async def test_poll_soon_takes_up_a_stored_job_without_waiting_for_the_poll(db_url: str) -> None:
    """The console stores a change and calls poll_soon: with a 60 s poll, only that can explain a
    job stored after the start being dialled within seconds."""
    async with running_dialer(db_url, poll_seconds=60) as (rt, ami, trunks, engine, settings):
        first, second = jobs_for(settings, ["13800000111", "13800000222"], utcnow())
        await rt.add([first])
        await until(lambda: "13800000111" in ami.ringing, 5, "the dialer is running")
        assert await store.insert_jobs(engine, [second]) == [second.id]  # as the console does
        rt.poll_soon()
        await until(lambda: "13800000222" in ami.ringing, 5, "the stored job dialled at once")


async def test_a_callback_is_booked_once_for_an_asking_caller_not_for_a_short_abandon(dialer: Rig) -> None:
    rt, ami, trunks, engine, settings = dialer
    rt.after_inbound_call(
        uniqueid="c1",
        number="+86 13800000111",
        outcome="callback_requested",
        category="billing",
        priority=10,
        waited_s=30,
    )
    rt.after_inbound_call(
        uniqueid="c2", number="13800000222", outcome="abandoned_queue", category=None, priority=0, waited_s=5
    )
    rt.after_inbound_call(
        uniqueid="c3", number="anonymous", outcome="callback_requested", category=None, priority=0, waited_s=5
    )
    await until(lambda: "13800000111" in ami.ringing, 5, "callback dialled")
    job = next(j for j in rt._jobs.values() if j.purpose == "callback")
    assert (job.priority, job.payload["category"]) == (10, "billing")
    assert ami.placed == ["13800000111"]
    again = callback_job(
        settings,
        uniqueid="c1",
        number="13800000111",
        category="billing",
        priority=10,
        why="asked",
        now=utcnow(),
    )
    assert await store.insert_jobs(engine, [again]) == []  # one callback per call


async def test_a_stored_job_the_dial_patterns_no_longer_allow_is_never_dialled(dialer: Rig) -> None:
    """A job stored before outbound.dial_patterns was narrowed (or written by hand) is refused when
    the dialer takes it, cancelled with the reason, and the allowed ones go on."""
    rt, ami, trunks, engine, settings = dialer
    allowed, foreign = jobs_for(settings, ["13800000131", "13800000132"], utcnow())
    foreign = dataclasses.replace(foreign, number="0044207946000")  # past the builders' check
    await rt.add([allowed, foreign])
    await until(lambda: finished(engine, [foreign.id], "cancelled"), 5, "the foreign job cancelled")
    await until(lambda: "13800000131" in ami.ringing, 5, "the allowed job dialled")
    assert "0044207946000" not in ami.placed
    (row,) = [r for r in await store.jobs_for_status(engine, finished_limit=100) if r.id == foreign.id]
    assert row.reason is not None and "outbound.dial_patterns" in row.reason
