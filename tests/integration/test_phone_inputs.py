"""Numbers from outside go through the one normaliser: junk is refused, never rewritten into
another number (DNC list, dialer jobs, MQTT service_done, account lookups and imports)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from hotline.cli.outbound_cmd import app
from hotline.dialer import store
from hotline.dialer.jobs import JobRequestError, callback_job, dialable, followup_job
from hotline.dialer.service_done import ServiceDoneError, parse_service_done, service_done_handler
from hotline.selfservice import upsert_accounts
from hotline.selfservice.account_import import AccountImportError, parse_accounts
from hotline.selfservice.queries import areas_for_phone, phone_candidates
from hotline.settings import Settings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DONE = "2026-11-20T19:30:00+08:00"


def settings() -> Settings:
    return Settings.model_validate(
        {"company": "X", "acd": {"vip_numbers": ["138-0000-1111"], "vip_priority": 9}}
    )


def run(config, *args):
    result = CliRunner().invoke(app, [*args, "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("number", ["138abc0000", "1380000111a", "+44 20 7946 0000", "()", "13"])
def test_dnc_add_refuses_junk_and_stores_nothing(config, number):
    r = run(config, "dnc", "add", number)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error: ") and repr(number) in r.stderr and len(r.stderr.splitlines()) == 1
    assert run(config, "dnc", "list").stdout.split() == []


def test_dnc_add_and_remove_use_the_national_form(config):
    assert run(config, "dnc", "add", "+86 138 0000 2222").exit_code == 0
    assert run(config, "dnc", "list").stdout.split() == ["13800002222"]
    bad = run(config, "dnc", "remove", "138000O2222")  # letter O
    assert bad.exit_code == 2 and "'O'" in bad.stderr
    assert run(config, "dnc", "remove", "008613800002222").exit_code == 0
    assert run(config, "dnc", "list").stdout.split() == []


def test_dialable_refuses_instead_of_dropping_characters():
    for junk in ("1380000111a", "138abc0000", "13800001111#", "+1 415 555 0100"):
        with pytest.raises(JobRequestError, match="not a number the dialer can call"):
            dialable(junk)
    assert dialable("+86 (0)10 1234 5678") == "01012345678"


def test_vip_numbers_match_in_any_written_form():
    job = followup_job(
        settings(),
        order="GD-1",
        kind="repair",
        number="+8613800001111",
        completed_at=datetime.fromisoformat(DONE),
        now=NOW,
    )
    assert job.number == "13800001111" and job.priority == 9
    cb = callback_job(
        settings(), uniqueid="u1", number="008613800001111", category=None, priority=3, why="asked", now=NOW
    )
    assert cb.priority == 9
    other = callback_job(
        settings(), uniqueid="u2", number="13900001111", category=None, priority=3, why="asked", now=NOW
    )
    assert other.priority == 3


def test_service_done_with_a_mangled_number_is_refused():
    msg = {"order": "GD-7", "kind": "repair", "number": "1380000111a", "completed_at": DONE}
    with pytest.raises(ServiceDoneError, match="number: .*'1380000111a'"):
        parse_service_done(json.dumps(msg).encode())
    ok = parse_service_done(json.dumps({**msg, "number": "+86 138-0000-1111"}).encode())
    assert ok.number == "13800001111"


async def test_service_done_handler_schedules_nothing_for_a_mangled_number():
    got = []

    async def schedule(msg):
        got.append(msg.number)
        return ["id"]

    handle = service_done_handler(schedule)
    msg = {"order": "GD-7", "kind": "repair", "number": "1380000111a", "completed_at": DONE}
    assert await handle(json.dumps(msg).encode(), False) is False
    assert got == []


def test_phone_candidates_of_junk_are_empty():
    assert phone_candidates("1380000111a") == ()
    assert phone_candidates("anonymous") == ()
    assert phone_candidates("+86 138 0000 1111")[0] == "13800001111"


def _account(number: str, phone: str) -> dict:
    return dict(
        account_number=number,
        area_code="320101",
        masked_name="张*",
        phone=phone,
        balance=Decimal("1"),
        last_bill_amount=Decimal("1"),
        last_bill_month="2026-10",
        last_usage_kwh=Decimal("1"),
    )


async def test_a_mangled_caller_number_finds_no_account(engine):
    await upsert_accounts(
        engine, [_account("0000000001", "1380000111"), _account("0000000002", "8613900001111")], now=NOW
    )
    assert await areas_for_phone(engine, "1380000111a") == []
    assert await areas_for_phone(engine, "+86 139 0000 1111") == ["320101"]  # older import


def test_account_import_normalises_phones_and_refuses_junk():
    header = (
        "account_number,area_code,masked_name,phone,balance,last_bill_amount,last_bill_month,last_usage_kwh\n"
    )
    rows = parse_accounts(header + "0000000001,320101,张*,+86 138-0000-1111,1,1,2026-10,1\n")
    assert rows[0]["phone"] == "13800001111"
    with pytest.raises(AccountImportError, match=r"<csv>:2: phone: .*'138abc0000'"):
        parse_accounts(header + "0000000001,320101,张*,138abc0000,1,1,2026-10,1\n")


async def test_dnc_store_refuses_a_number_that_is_not_normalised(engine):
    with pytest.raises(ValueError, match="138abc0000"):
        await store.dnc_add(engine, "138abc0000", "test", NOW)
    assert await store.dnc_numbers(engine) == set()
