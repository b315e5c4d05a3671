"""Numbers outbound.dial_patterns does not allow (default: domestic only) are never dialled: the
agent's 9 + number call flow sends no Dial, the dialer gets no job; each refusal is logged,
counted (hotline_dial_refused_total{source}) and published (`dial_refused`). Scripted Asterisk
ends (tests/integration/fake_asterisk.py) against the daemon running in-process, a real store."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fake_asterisk import FakeCall, asterisk_headers
from polling import until
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.testing import capture_logs
from typer.testing import CliRunner

from hotline.cli.outbound_cmd import app
from hotline.clock import utcnow
from hotline.dialer import store
from hotline.dialer.service_done import service_done_handler
from hotline.selfservice import add_notice, upsert_accounts
from hotline.selfservice.records import Notice
from hotline.store.db import make_engine, upgrade
from hotline.store.queries import fetch_calls

DIALSTATUS = {
    'GET VARIABLE "DIALSTATUS"': b"200 result=1 (ANSWER)\n",
    'GET VARIABLE "ANSWEREDTIME"': b"200 result=1 (7)\n",
}


@pytest.fixture
def events(daemon, monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Every live event the daemon publishes from now on (the real bus still gets each)."""
    seen: list[tuple[str, dict[str, Any]]] = []
    bus = daemon.ctx.bus
    real = bus.publish

    def publish(kind: str, data: Any, *, retain: bool = False) -> int:
        seen.append((kind, dict(data)))
        return real(kind, data, retain=retain)

    monkeypatch.setattr(bus, "publish", publish)
    return seen


def refused_count(daemon, source: str) -> float:
    value = daemon.ctx.metrics.registry.get_sample_value("hotline_dial_refused_total", {"source": source})
    assert value is not None
    return value


async def agent_dials(daemon, uid: str, *args: str) -> FakeCall:
    """Agent 1001's softphone dialled 9 + number: the AGI `outbound` with the dialplan's args."""
    block = asterisk_headers(
        route="outbound", uniqueid=uid, channel="PJSIP/1001-0000000a", callerid="1001", dnid="9", args=args
    )
    call = FakeCall(daemon.server.port, uid, header_block=block, route="outbound", replies=DIALSTATUS)
    await asyncio.wait_for(call.run(), 10)
    return call


async def stored_calls(db_url: str) -> list[Any]:
    engine = make_engine(db_url)
    try:
        return list(await fetch_calls(engine))
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "args, number, reason",
    [
        (("00441234567890",), "00441234567890", "international"),
        (("16888123",), "16888123", "service_number"),
        (("12590123456",), "12590123456", "service_number"),
        # text behind `_9X.` with a comma is split by Asterisk: joined back, refused as a whole
        (("13800001111", "x"), "13800001111,x", "not_a_number"),
    ],
)
async def test_a_refused_number_gets_no_dial_but_congestion_a_count_and_an_event(
    daemon, db_url, events, args, number, reason
):
    with capture_logs() as logs:
        call = await agent_dials(daemon, "700.1", *args)
    assert not any(c.startswith('EXEC "Dial"') for c in call.received), call.received
    assert 'EXEC "Congestion" "5"' in call.received
    assert refused_count(daemon, "agent") == 1 and refused_count(daemon, "dialer") == 0
    assert events == [
        (
            "dial_refused",
            {
                "source": "agent",
                "number": number,
                "reason": reason,
                "detail": events[0][1]["detail"],
                "by": "1001",
            },
        )
    ]
    (entry,) = [e for e in logs if e["event"] == "dial.refused"]
    assert entry["log_level"] == "warning" and entry["number"] == number and entry["by"] == "1001"
    assert daemon.ctx.trunks.in_use("outbound") == 0
    await daemon.ctx.recorder.flush()
    assert await stored_calls(db_url) == []  # no line was taken: no call row


async def test_the_dialplans_refusal_is_counted_and_the_dialplan_plays_congestion(daemon, events):
    call = await agent_dials(daemon, "701.1", "0044,20,7946", "refused")  # `_9X.`, commas and all
    assert not any(c.startswith("EXEC") for c in call.received), call.received
    assert refused_count(daemon, "agent") == 1
    ((kind, data),) = events
    assert kind == "dial_refused" and data["number"] == "0044,20,7946" and data["reason"] == "not_a_number"


async def test_a_number_the_dialplan_refused_stays_refused_even_if_the_daemon_would_allow_it(daemon, events):
    """A dialplan rendered from other patterns: the daemon never dials what it marked refused."""
    call = await agent_dials(daemon, "702.1", "13800001111", "refused")
    assert not any(c.startswith("EXEC") for c in call.received), call.received
    ((_, data),) = events
    assert data["reason"] == "not_allowed" and "render the Asterisk config" in data["detail"]


async def test_an_allowed_number_is_dialled_as_before(daemon, db_url, events):
    call = await agent_dials(daemon, "703.1", "13800001111")
    dial = next(c for c in call.received if c.startswith('EXEC "Dial"'))
    assert "PJSIP/13800001111@outbound-trunk" in dial
    assert refused_count(daemon, "agent") == 0
    assert [k for k, _ in events if k == "dial_refused"] == []
    await daemon.ctx.recorder.flush()
    (row,) = await stored_calls(db_url)
    assert (row.direction, row.dnid, row.outcome, row.agent_id) == (
        "outbound",
        "13800001111",
        "answered",
        "001",
    )


def service_done(number: str, order: str) -> bytes:
    return json.dumps(
        {"order": order, "kind": "repair", "number": number, "completed_at": "2026-11-20T19:30:00+08:00"}
    ).encode()


async def test_the_dialer_refuses_a_follow_up_to_an_international_number(daemon, events, engine):
    handle = service_done_handler(daemon.ctx.outbound.schedule_followup)  # as the bus calls it
    with capture_logs() as logs:
        assert await handle(service_done("0044 20 7946 0000", "GD-INT"), False) is False
    assert refused_count(daemon, "dialer") == 1 and refused_count(daemon, "agent") == 0
    ((kind, data),) = events
    assert (kind, data["source"], data["number"], data["reason"]) == (
        "dial_refused",
        "dialer",
        "00442079460000",
        "international",
    )
    assert data["by"] == "followup order-GD-INT"
    assert any(
        e["event"] == "dialer.service_done_rejected" and "may not be dialled" in e["reason"] for e in logs
    )
    assert await store.jobs_for_status(engine, finished_limit=10) == []
    assert await handle(service_done("13800001111", "GD-OK"), False) is True  # a domestic one is booked


async def test_the_dialer_does_not_call_back_a_service_number(daemon, events, engine):
    daemon.ctx.outbound.after_inbound_call(
        uniqueid="c-400",
        number="4008123123",
        outcome="callback_requested",
        category=None,
        priority=0,
        waited_s=10,
    )
    assert refused_count(daemon, "dialer") == 1
    ((_, data),) = events
    assert (data["reason"], data["by"]) == ("service_number", "callback call-c-400")
    daemon.ctx.outbound.after_inbound_call(
        uniqueid="c-138",
        number="13800003111",
        outcome="callback_requested",
        category=None,
        priority=0,
        waited_s=10,
    )

    async def booked() -> list[str]:
        return [j.number for j in await store.jobs_for_status(engine, finished_limit=10)]

    await until(booked, 5, "the domestic callback booked")
    assert await booked() == ["13800003111"]  # and only it


async def planned_outage_with_a_foreign_phone(engine: AsyncEngine) -> Notice:
    """Area 990002: one domestic mobile, one Hong Kong number; a planned outage there in 9 days."""
    now = utcnow()
    account = dict(
        masked_name="王*",
        balance=Decimal("0"),
        last_bill_amount=Decimal("0"),
        last_bill_month="2026-10",
        last_usage_kwh=Decimal("0"),
        area_code="990002",
    )
    await upsert_accounts(
        engine,
        [
            {**account, "account_number": "9900000201", "phone": "13800002111"},
            {**account, "account_number": "9900000202", "phone": "0085212345678"},  # Hong Kong
        ],
        now=now,
    )
    return await add_notice(
        engine,
        area_code="990002",
        area_name="试验区",
        towns=["试验镇"],
        starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=6),
        reason="线路检修",
        kind="planned",
        now=now,
    )


async def test_an_outage_notice_leaves_out_the_phones_it_may_not_call(daemon, events, engine):
    notice = await planned_outage_with_a_foreign_phone(engine)
    jobs = await daemon.ctx.outbound.requests.notice(engine, notice, utcnow())
    assert [j.number for j in jobs] == ["13800002111"]
    ((_, data),) = events
    assert (data["number"], data["reason"], data["by"]) == (
        "0085212345678",
        "international",
        f"outage_notice notice-{notice.id}",
    )
    assert refused_count(daemon, "dialer") == 1


def cli(config, *args: str):
    return CliRunner().invoke(app, [*args, "--config", str(config)], env={"COLUMNS": "200"})


def test_the_cli_refuses_a_follow_up_it_may_not_dial_and_says_which_notice_phones_it_leaves_out(
    config, db_url
):
    r = cli(config, "done", "--order", "GD-P", "--kind", "repair", "--number", "16888123")
    assert r.exit_code == 2 and "may not be dialled" in r.stderr and "outbound.dial_patterns" in r.stderr

    async def seed() -> Notice:
        await upgrade(db_url)
        engine = make_engine(db_url)
        try:
            return await planned_outage_with_a_foreign_phone(engine)
        finally:
            await engine.dispose()

    notice = asyncio.run(seed())
    r = cli(config, "notify", str(notice.id))
    assert r.exit_code == 0, r.output
    assert "not called: account phone 0085212345678 may not be dialled: international" in r.stdout
    assert "1 phones in the area, 1 new calls scheduled" in r.stdout
