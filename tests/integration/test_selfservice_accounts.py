"""Accounts: CSV import (all or nothing, every bad line reported, upsert) and the bill lookup."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hotline.selfservice import AccountImportError, account, import_accounts, lookup, parse_accounts
from ivr.events import Say

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
HEADER = (
    "account_number,area_code,masked_name,phone,balance,last_bill_amount,last_bill_month,last_usage_kwh\n"
)
GOOD = HEADER + (
    "3100000001,010101,张*,13800000001,-12.30,88.50,2026-10,150.5\n3100000002,010101,李*,,200,0,2026-10,0\n"
)


def _csv(tmp_path, text: str, name="accounts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_import_then_bill_lookup_says_the_balance_as_an_amount(engine, tmp_path):
    assert await import_accounts(engine, _csv(tmp_path, GOOD), now=NOW) == 2
    acct = await account(engine, "3100000001")
    assert (acct.masked_name, acct.phone, acct.balance, acct.last_usage_kwh) == (
        "张*",
        "13800000001",
        Decimal("-12.30"),
        Decimal("150.5"),
    )
    assert acct.updated_at == NOW
    assert (await account(engine, "3100000002")).phone is None
    items = await lookup(engine, "bill", "3100000001", caller_number="", now=NOW)
    assert items == (
        "bill_balance",
        Say("amount", "-12.30"),
        "bill_amount_due",
        Say("amount", "88.50"),
        "bill_usage",
        Say("number", "150.5"),
        "du",
    )
    usage = await lookup(engine, "usage", "3100000002", caller_number="", now=NOW)
    assert usage == ("bill_usage", Say("number", "0.0"), "du")
    assert await lookup(engine, "bill", "3199999999", caller_number="", now=NOW) == ("account_not_found",)


async def test_import_upserts_existing_accounts(engine, tmp_path):
    await import_accounts(engine, _csv(tmp_path, GOOD), now=NOW)
    later = NOW.replace(month=12)
    update = HEADER + "3100000001,020202,张*,13800000009,0.05,12345678.91,2026-11,99999999999.9\n"
    assert await import_accounts(engine, _csv(tmp_path, update, "update.csv"), now=later) == 1
    acct = await account(engine, "3100000001")
    assert (
        acct.area_code,
        acct.phone,
        acct.balance,
        acct.last_bill_amount,
        acct.last_bill_month,
        acct.last_usage_kwh,
        acct.updated_at,
    ) == (
        "020202",
        "13800000009",
        Decimal("0.05"),
        Decimal("12345678.91"),
        "2026-11",
        Decimal("99999999999.9"),
        later,
    )
    assert (await account(engine, "3100000002")).updated_at == NOW  # untouched


async def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_line(engine, tmp_path):
    text = HEADER + (
        "3100000001,010101,张*,13800000001,-12.30,88.50,2026-10,150.5\n"  # 2 good
        "31000,010101,王*,13800000003,1,1,2026-10,1\n"  # 3 short number
        "3100000004,010101,赵*,13800000004,1.234,1,2026-10,1\n"  # 4 three decimals
        "3100000005,010101,钱*,13800000005,1,abc,2026-13,1\n"  # 5 two problems
        "3100000001,010101,张*,13800000001,1,1,2026-10,1\n"  # 6 duplicate of 2
        "3100000007,010101,孙*,13800000007,1,1,2026-10\n"  # 7 a field missing
        "\n"  # 8 blank: ignored
        "3100000009,01a1,,1380000000x,1,1,2026-10,-1\n"  # 9 four problems
    )
    with pytest.raises(
        AccountImportError, match=r"accounts\.csv:3: account_number: '31000' is not 6-20 digits"
    ) as info:
        await import_accounts(engine, _csv(tmp_path, text), now=NOW)
    errors = info.value.errors
    assert [e.split(":")[1] for e in errors] == ["3", "4", "5", "6", "7", "9"]
    assert all(e.startswith(str(tmp_path / "accounts.csv")) for e in errors)
    assert "account_number: '31000' is not 6-20 digits" in errors[0]
    assert "balance" in errors[1] and "at most 2 decimals" in errors[1]
    assert "last_bill_amount" in errors[2] and "last_bill_month: '2026-13'" in errors[2]
    assert "already on line 2" in errors[3]
    assert "7 fields, the header has 8" in errors[4]
    for column in ("area_code", "masked_name", "phone", "last_usage_kwh"):
        assert column in errors[5]
    assert await account(engine, "3100000001") is None  # nothing written


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        (
            "account_number,area_code,masked_name,phone,balance,last_bill_amount,last_bill_month\n",
            "missing column(s) last_usage_kwh",
        ),
        (HEADER.strip() + ",extra\n", "unknown column(s) extra"),
        (HEADER.strip() + ",phone\n", "repeated column(s) phone"),
    ],
)
def test_bad_headers(text, message):
    with pytest.raises(AccountImportError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        parse_accounts(text, "f.csv")
    assert info.value.errors[0].startswith("f.csv:1: ")


def test_header_order_bom_quotes_and_crlf_are_accepted(tmp_path):
    text = (
        "\ufefflast_usage_kwh,account_number,area_code,masked_name,phone,balance,"
        "last_bill_amount,last_bill_month\r\n"
        '"1.5",3100000001,010101,"张*",13800000001," 12.00 ",3,2026-01\r\n'
    )
    path = tmp_path / "bom.csv"
    path.write_bytes(text.encode("utf-8"))
    from hotline.selfservice.account_import import read_accounts_file

    [row] = read_accounts_file(path)
    assert row["last_usage_kwh"] == Decimal("1.5") and row["balance"] == Decimal("12.00")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(HEADER.encode() + "3100000001,010101,张*,1,1,1,2026-10,1\n".encode("gbk"))
    from hotline.selfservice.account_import import read_accounts_file

    with pytest.raises(AccountImportError, match="not UTF-8"):
        read_accounts_file(path)


async def test_the_optional_address_column_is_stored_and_a_file_without_it_keeps_it(engine, tmp_path):
    with_address = (
        HEADER.strip()
        + ",address\n3100000001,010101,张*,13800000001,1,1,2026-10,1,平安县城关镇解放路 12 号\n"
    )
    await import_accounts(engine, _csv(tmp_path, with_address), now=NOW)
    assert (await account(engine, "3100000001")).address == "平安县城关镇解放路 12 号"
    await import_accounts(
        engine, _csv(tmp_path, HEADER + "3100000001,010101,张*,13800000001,2,1,2026-10,1\n"), now=NOW
    )
    acct = await account(engine, "3100000001")
    assert (acct.address, acct.balance) == ("平安县城关镇解放路 12 号", Decimal("2"))
    with pytest.raises(AccountImportError, match="address: must be at most 200 printable"):
        parse_accounts(HEADER.strip() + ",address\n3100000001,010101,张*,,1,1,2026-10,1,a\x07b\n")
