"""Outage notices: publishing, the 7-day window, and the IVR's outage lookups (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from hotline.selfservice import (
    NoticeError,
    UnknownLookupKind,
    add_notice,
    list_notices,
    lookup,
    outages_for_area,
    outages_for_phone,
    upsert_accounts,
)
from hotline.selfservice.local_time import LOCAL_TZ
from ivr.events import LookupResult, Say
from ivr.say_zh import render_items

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=LOCAL_TZ).astimezone(UTC)


async def _notice(
    engine, area="010101", *, start_in: timedelta, hours: float = 10, kind="planned", reason="线路检修"
):
    starts = NOW + start_in
    return await add_notice(
        engine,
        area_code=area,
        area_name="城关",
        towns=["城关镇", "东关镇"],
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        reason=reason,
        kind=kind,
        now=NOW - timedelta(days=8),
    )


async def test_window_is_in_force_now_or_starting_within_7_days(engine):
    in_force = await _notice(engine, start_in=timedelta(hours=-2), kind="fault", reason="故障")
    soon = await _notice(engine, start_in=timedelta(days=3))
    later = await _notice(engine, start_in=timedelta(days=2))
    await _notice(engine, start_in=timedelta(days=10))  # too far ahead
    await _notice(engine, start_in=timedelta(days=-2), hours=5)  # over
    await _notice(engine, start_in=timedelta(hours=-5), hours=5)  # ended exactly now
    await _notice(engine, area="020202", start_in=timedelta(days=1))  # another area
    found = await outages_for_area(engine, "010101", NOW)
    assert [n.id for n in found] == [later.id, soon.id, in_force.id]  # planned first, by start
    assert found[0].towns == ("城关镇", "东关镇") and found[0].starts_at.tzinfo is not None
    assert found[0].starts_at == NOW + timedelta(days=2)
    assert await outages_for_area(engine, "999999", NOW) == []


async def test_list_notices_hides_ended_ones_unless_asked(engine):
    old = await _notice(engine, start_in=timedelta(days=-3))
    new = await _notice(engine, start_in=timedelta(days=30))
    other = await _notice(engine, area="020202", start_in=timedelta(days=1))
    assert [n.id for n in await list_notices(engine, now=NOW)] == [other.id, new.id]
    assert [n.id for n in await list_notices(engine)] == [old.id, other.id, new.id]
    assert [n.id for n in await list_notices(engine, area_code="010101")] == [old.id, new.id]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"area_code": "12a"}, "4 to 12 digits"),
        ({"kind": "storm"}, "kind 'storm'"),
        ({"ends_at": NOW}, "must be after the start"),
        ({"starts_at": datetime(2026, 11, 21, 8, 0)}, "timezone-aware"),
        ({"towns": []}, "towns"),
        ({"reason": "  "}, "reason is empty"),
    ],
)
async def test_bad_notices_are_refused_clearly(engine, change, message):
    fields = dict(
        area_code="010101",
        area_name="城关",
        towns=["城关镇"],
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=8),
        reason="线路检修",
        kind="planned",
        now=NOW,
    )
    with pytest.raises(NoticeError, match=message):
        await add_notice(engine, **{**fields, **change})
    assert await list_notices(engine) == []


async def _account(engine, number="3100000001", phone="13800000001", area="010101"):
    await upsert_accounts(
        engine,
        [
            dict(
                account_number=number,
                area_code=area,
                masked_name="张*",
                phone=phone,
                balance=Decimal("-12.30"),
                last_bill_amount=Decimal("88.50"),
                last_bill_month="2026-10",
                last_usage_kwh=Decimal("150.5"),
            )
        ],
        now=NOW,
    )


async def test_outages_by_caller_number_go_through_the_account_area(engine):
    await _account(engine)
    await _account(engine, number="3100000002", phone="13900000002", area="020202")
    mine = await _notice(engine, start_in=timedelta(days=1))
    await _notice(engine, area="020202", start_in=timedelta(days=1))
    assert [n.id for n in await outages_for_phone(engine, "13800000001", NOW)] == [mine.id]
    assert [n.id for n in await outages_for_phone(engine, "+86 138-0000-0001", NOW)] == [mine.id]
    assert [n.id for n in await outages_for_phone(engine, "013800000001", NOW)] == [mine.id]
    assert await outages_for_phone(engine, "13700000000", NOW) is None  # not registered
    assert await outages_for_phone(engine, "", NOW) is None


async def test_outage_lookups_say_the_times_in_local_time(engine):
    await _account(engine)
    await _notice(engine, start_in=timedelta(days=10, hours=0))  # 11-30 08:00-18:00, too far
    start = datetime(2026, 11, 23, 8, 30, tzinfo=LOCAL_TZ)
    await add_notice(
        engine,
        area_code="010101",
        area_name="城关",
        towns=["城关镇"],
        starts_at=start,
        ends_at=start + timedelta(hours=9, minutes=30),
        reason="线路检修",
        kind="planned",
        now=NOW,
    )
    items = await lookup(engine, "outage_by_caller", "13800000001", caller_number="13800000001", now=NOW)
    assert items == (
        "outage_planned",
        Say("date", "2026-11-23"),
        Say("time", "08:30"),
        "outage_until",
        Say("time", "18:00"),
    )
    assert LookupResult(items).items == items
    assert render_items(items)[:2] == ("outage_planned", "d2")
    by_area = await lookup(engine, "outage_by_area", "010101", caller_number="", now=NOW)
    assert by_area == items


async def test_outage_lookup_answers_for_none_fault_and_unregistered(engine):
    await _account(engine)
    ask = lambda kind, value, caller="": lookup(engine, kind, value, caller_number=caller, now=NOW)  # noqa: E731
    assert await ask("outage_by_area", "010101") == ("outage_none",)
    assert await ask("outage_by_caller", "13700000000") == ("outage_not_registered",)
    assert await ask("outage_by_caller", "", "13800000001") == ("outage_none",)
    await _notice(engine, start_in=timedelta(hours=-1), kind="fault", reason="变压器故障")
    overnight = await _notice(engine, start_in=timedelta(days=1, hours=14), hours=12)
    items = await ask("outage_by_area", "010101")
    assert items[0] == "outage_planned" and items[-1] == "outage_fault_known"
    assert Say("date", to_day(overnight.ends_at)) in items  # ends on another day: its date is said


def to_day(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).date().isoformat()


async def test_unknown_lookup_kind_is_an_error(engine):
    with pytest.raises(UnknownLookupKind, match="repair_progress"):
        await lookup(engine, "repair_progress", "123", caller_number="", now=NOW)
