"""Building dialer jobs, the `hotline outbound` commands and the MQTT service-done messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from hotline.cli.outbound_cmd import app
from hotline.dialer import store
from hotline.dialer.jobs import JobRequestError, dialable, followup_job, notice_jobs
from hotline.dialer.service_done import ServiceDoneError, parse_service_done, service_done_handler
from hotline.selfservice import add_notice, upsert_accounts
from hotline.selfservice.local_time import LOCAL_TZ
from hotline.settings import Settings

FRIDAY_EVENING = datetime(2026, 11, 20, 19, 30, tzinfo=LOCAL_TZ)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # = 20:00 Friday local


def settings(db_url: str = "sqlite+aiosqlite:///unused.db", **outbound) -> Settings:
    return Settings.model_validate(
        {
            "company": "X",
            "database": {"url": db_url},
            "acd": {"vip_numbers": ["13900000001"]},
            "outbound": outbound,
        }
    )


def test_a_follow_up_of_friday_evening_is_called_monday_and_retried_until_wednesday():
    job = followup_job(
        settings(),
        order="GD-1",
        kind="repair",
        number="+86 138-0000-1111",
        completed_at=FRIDAY_EVENING,
        now=NOW,
    )
    assert job.number == "13800001111" and job.ref == "order-GD-1"
    assert job.not_before.astimezone(LOCAL_TZ) == datetime(2026, 11, 23, 8, 0, tzinfo=LOCAL_TZ)
    assert job.deadline.astimezone(LOCAL_TZ).date().isoformat() == "2026-11-25"
    holiday = followup_job(
        settings(holidays=["2026-11-23"]),
        order="GD-1",
        kind="repair",
        number="13800001111",
        completed_at=FRIDAY_EVENING,
        now=NOW,
    )
    assert holiday.not_before.astimezone(LOCAL_TZ).date().isoformat() == "2026-11-24"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("kind", "party", "kind 'party'"),
        ("number", "anonymous", "not a number"),
        ("order", "", "work order"),
        ("completed_at", FRIDAY_EVENING + timedelta(days=3), "in the future"),
    ],
)
def test_bad_follow_up_requests_are_refused_with_the_reason(field, value, message):
    args = dict(order="GD-1", kind="repair", number="13800001111", completed_at=FRIDAY_EVENING)
    args[field] = value
    with pytest.raises(JobRequestError, match=message):
        followup_job(settings(), now=NOW, **args)


def test_dialable_numbers():
    assert dialable("0086 13800001111") == "13800001111"
    assert dialable("0551-1234567") == "05511234567"
    with pytest.raises(JobRequestError, match="number '' is empty"):
        dialable("")


async def test_notice_calls_go_to_every_phone_of_the_area_key_accounts_first(engine, db_url):
    rows = [
        dict(
            account_number=f"00000000{i:02d}",
            area_code=area,
            masked_name="张*",
            phone=phone,
            balance=Decimal("1"),
            last_bill_amount=Decimal("1"),
            last_bill_month="2026-10",
            last_usage_kwh=Decimal("1"),
        )
        for i, (area, phone) in enumerate(
            [
                ("320101", "13800000001"),
                ("320101", "13900000001"),
                ("320101", "13800000001"),  # same phone
                ("320101", None),
                ("320102", "13800000009"),
            ]
        )
    ]
    await upsert_accounts(engine, rows, now=NOW)
    notice = await add_notice(
        engine,
        area_code="320101",
        area_name="城关",
        towns=["城关镇"],
        starts_at=NOW + timedelta(days=10),
        ends_at=NOW + timedelta(days=10, hours=8),
        reason="检修",
        kind="planned",
        now=NOW,
    )
    jobs = await notice_jobs(engine, settings(db_url), notice, NOW)
    assert sorted((j.number, j.priority) for j in jobs) == [("13800000001", 0), ("13900000001", 10)]
    assert all(j.deadline == notice.starts_at - timedelta(days=7) for j in jobs)
    assert all(j.payload["late"] == "0" and j.payload["area_code"] == "320101" for j in jobs)
    late = await notice_jobs(engine, settings(db_url), notice, NOW + timedelta(days=5))
    assert all(j.payload["late"] == "1" and j.deadline == notice.starts_at for j in late)
    assert len(await store.insert_jobs(engine, jobs)) == 2
    assert await store.insert_jobs(engine, jobs) == []  # the same notice twice: no new calls


def test_service_done_messages_are_validated():
    good = {
        "order": "GD-7",
        "kind": "complaint",
        "number": "13800001111",
        "completed_at": "2026-11-20T19:30:00+08:00",
    }
    assert parse_service_done(json.dumps(good).encode()).kind == "complaint"
    for bad, message in [
        (b"not json", "Invalid JSON"),
        (json.dumps({**good, "kind": "x"}).encode(), "kind: Input should be 'repair'"),
        (json.dumps({**good, "completed_at": "2026-11-20 19:30"}).encode(), "completed_at: .* timezone"),
        (json.dumps({**good, "extra": 1}).encode(), "extra: Extra inputs are not permitted"),
    ]:
        with pytest.raises(ServiceDoneError, match=message):
            parse_service_done(bad)


async def test_service_done_handler_schedules_and_drops_bad_or_retained_messages():
    got = []

    async def schedule(msg):
        got.append(msg.order)
        return ["id"]

    handle = service_done_handler(schedule)
    good = json.dumps(
        {
            "order": "GD-8",
            "kind": "repair",
            "number": "13800001111",
            "completed_at": "2026-11-20T19:30:00+08:00",
        }
    ).encode()
    assert await handle(good, False) is True
    assert await handle(good, True) is False  # retained replay
    assert await handle(b"{}", False) is False
    assert got == ["GD-8"]


def run(config, *args):
    result = CliRunner().invoke(app, [*args, "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_cli_done_status_cancel_and_dnc(config, db_url):
    r = run(
        config,
        "done",
        "--order",
        "GD-9",
        "--kind",
        "repair",
        "--number",
        "13800001111",
        "--at",
        "2026-11-20 19:30",
    )
    assert r.exit_code == 0 and "first call from 2026-11-23 08:00" in r.stdout, r.stdout
    again = run(config, "done", "--order", "GD-9", "--kind", "repair", "--number", "13800001111")
    assert again.exit_code == 0 and "already has a follow-up" in again.stdout
    bad = run(config, "done", "--order", "GD-10", "--kind", "repair", "--number", "abc")
    assert bad.exit_code == 2 and "not a number" in bad.stderr
    status = json.loads(run(config, "status", "--format", "json").stdout)
    assert [(j["status"], j["number"], j["attempts"]) for j in status] == [("pending", "13800001111", "0/5")]
    job_id = status[0]["id"]
    assert run(config, "cancel", job_id).exit_code == 0
    assert run(config, "cancel", job_id).exit_code == 2  # no longer pending
    assert run(config, "dnc", "add", "138 0000 2222").exit_code == 0
    assert run(config, "dnc", "list").stdout.split() == ["13800002222"]
    assert run(config, "dnc", "remove", "13800002222").exit_code == 0
    assert run(config, "dnc", "remove", "13800002222").exit_code == 2
    final = json.loads(run(config, "status", "--format", "json").stdout)
    assert [(j["status"], j["result"]) for j in final] == [("cancelled", "cancelled by operator")]
