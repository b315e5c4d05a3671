"""Before the menu over the real Asterisk: a sipp caller with an account in an area with an open
repair order hears the repair notice first (seed 000 §24); a flagged number hears the harassment
warning first and still reaches the menu (seed 000 §27). Both show at the head of the IVR path
and as call events."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from e2e_setup import rows_for
from sqlalchemy import insert

from hotline.harassment.flags import flag_number
from hotline.orders.models import WorkOrderRow
from hotline.selfservice.models import AccountRow
from hotline.settings import load_settings
from hotline.store.db import make_engine
from hotline.store.queries import fetch_events
from lab.ami import AmiCredentials, RawAmi
from lab.caller_steps import Wait
from lab.sipp import call

pytestmark = pytest.mark.e2e
REPAIR_CALLER = "13900000931"
FLAGGED_CALLER = "13900000932"
LISTEN = [Wait(14.0)]  # the notice or warning (6-8 s) and the start of the greeting, then hang up


def db_url(hotline_lab) -> str:
    return load_settings(hotline_lab[1]).database.url


async def _ami(hotline_lab) -> RawAmi:
    s = load_settings(hotline_lab[1])
    return await RawAmi.connect(
        AmiCredentials("127.0.0.1", s.ami.port, s.ami.username, s.ami.secret.get_secret_value())
    )


def _played(conn: RawAmi, uniqueid: str) -> list[str]:
    """The prompts the daemon streamed on this call, in order (AMI AGIExecStart events)."""
    out = []
    for e in conn.events:
        cmd = e.get("Command", "")
        if (
            e.get("Event") == "AGIExecStart"
            and e.get("Uniqueid") == uniqueid
            and cmd.startswith("STREAM FILE")
        ):
            out.append(cmd.split('"')[1].rsplit("/", 1)[1])
    return out


async def _events(url: str, uniqueid: str, kind: str) -> list:
    engine = make_engine(url)
    try:
        return [e.data for e in await fetch_events(engine, uniqueid) if e.kind == kind]
    finally:
        await engine.dispose()


async def _account_and_open_repair(url: str) -> None:
    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(AccountRow).values(
                    account_number="3209310001",
                    area_code="320931",
                    masked_name="王*",
                    phone=REPAIR_CALLER,
                    balance=Decimal("50.00"),
                    last_bill_amount=Decimal("60.00"),
                    last_bill_month="2026-11",
                    last_usage_kwh=Decimal("120.0"),
                    updated_at=now,
                )
            )
            await conn.execute(
                insert(WorkOrderRow).values(
                    number="GDE2E0931",
                    kind="repair",
                    status="open",
                    area_code="320931",
                    address="城关镇南街",
                    fault_type="line",
                    description="线路断落",
                    created_at=now,
                    created_by="001",
                )
            )
    finally:
        await engine.dispose()


async def test_a_caller_in_an_area_under_repair_hears_the_notice_first(hotline_lab, daemon):
    url = db_url(hotline_lab)
    await _account_and_open_repair(url)
    conn = await _ami(hotline_lab)
    try:
        result = await call(caller=REPAIR_CALLER, steps=LISTEN, timeout=60)
        assert result.ok
        (row,) = await rows_for(url, REPAIR_CALLER)
        assert _played(conn, row.uniqueid)[:2] == ["repair_notice", "greeting"]
    finally:
        await conn.close()
    assert row.ivr_path[0]["node"] == "repair_notice" and row.ivr_path[1]["node"] == "top"
    assert row.outcome == "ivr_only"
    assert await _events(url, row.uniqueid, "repair_notice") == [
        {"orders": ["GDE2E0931"], "area_codes": ["320931"]}
    ]


async def test_a_flagged_number_is_warned_and_still_reaches_the_menu(hotline_lab, daemon):
    url = db_url(hotline_lab)
    engine = make_engine(url)
    try:
        await flag_number(engine, FLAGGED_CALLER, "e2e: 多次恶意来电", "001", None, datetime.now(UTC))
    finally:
        await engine.dispose()
    conn = await _ami(hotline_lab)
    try:
        result = await call(caller=FLAGGED_CALLER, steps=LISTEN, timeout=60)
        assert result.ok
        (row,) = await rows_for(url, FLAGGED_CALLER)
        assert _played(conn, row.uniqueid)[:2] == ["harassment_warning", "greeting"]
    finally:
        await conn.close()
    assert row.ivr_path[0]["node"] == "harassment_warning" and row.ivr_path[1]["node"] == "top"
    assert await _events(url, row.uniqueid, "harassment_warning") == [{"number": FLAGGED_CALLER}]
