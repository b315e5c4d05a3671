"""`hotline outage add|list` and `hotline accounts import` against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from hotline.cli.selfservice_cmd import accounts_app, outage_app
from hotline.selfservice import account, list_notices
from hotline.store.db import make_engine, upgrade

HEADER = (
    "account_number,area_code,masked_name,phone,balance,last_bill_amount,last_bill_month,last_usage_kwh\n"
)
ADD = [
    "add",
    "--area",
    "0101",
    "--area-name",
    "城关",
    "--towns",
    "城关镇,东关镇",
    "--start",
    "2099-11-30 08:00",
    "--end",
    "2099-11-30 18:00",
    "--reason",
    "线路检修",
    "--kind",
    "planned",
]


def with_options(**values: str) -> list[str]:
    args = list(ADD)
    for option, value in values.items():
        args[args.index(option) + 1] = value
    return args


def run(app, config, *args):
    result = CliRunner().invoke(app, [*args, "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def query(url, fn, *args, **kwargs):
    async def go():
        engine = make_engine(url)
        try:
            return await fn(engine, *args, **kwargs)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_outage_add_stores_local_time_and_list_shows_it(config, db_url):
    added = run(outage_app, config, *ADD)
    assert added.exit_code == 0, added.output
    assert (
        "notice 1 published: planned outage in 0101 城关, 2099-11-30 08:00 to 2099-11-30 18:00"
        in added.stdout
    )
    assert "warning" not in added.output
    [notice] = query(db_url, list_notices)
    assert notice.starts_at == datetime(2099, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 +08:00
    assert notice.towns == ("城关镇", "东关镇") and notice.reason == "线路检修"

    past = run(
        outage_app,
        config,
        *with_options(
            **{
                "--start": "2000-01-01T08:00+00:00",
                "--end": "2000-01-01 18:00+00:00",
                "--reason": "抢修",
                "--kind": "fault",
                "--area": "0202",
            }
        ),
    )
    assert past.exit_code == 0, past.output
    assert "2000-01-01 16:00 to 2000-01-02 02:00" in past.stdout  # shown in local time

    listed = run(outage_app, config, "list")
    assert listed.exit_code == 0 and "2099-11-30 08:00" in listed.stdout and "2000-01-01" not in listed.stdout
    everything = run(outage_app, config, "list", "--all")
    assert "2099-11-30 08:00" in everything.stdout and "2000-01-01 16:00" in everything.stdout
    only = run(outage_app, config, "list", "--all", "--area", "0202")
    assert "抢修" in only.stdout and "线路检修" not in only.stdout
    none = run(outage_app, config, "list", "--area", "0303")
    assert none.exit_code == 0 and "no outage notices" in none.stdout


def test_planned_outage_less_than_7_days_ahead_is_stored_with_a_warning(config, db_url):
    res = run(
        outage_app, config, *with_options(**{"--start": "2000-01-01 08:00", "--end": "2000-01-01 09:00"})
    )
    assert res.exit_code == 0, res.output
    assert "at least 7 days ahead" in res.stderr
    assert len(query(db_url, list_notices)) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--end": "2099-11-30 08:00"}, "must be after the start"),
        ({"--start": "30/11/2099 8am"}, "--start '30/11/2099 8am' is not a date and time"),
        ({"--area": "01-01"}, "area code '01-01' must be 4 to 12 digits"),
        ({"--towns": " , "}, "names no town"),
        ({"--reason": " "}, "the reason is empty"),
        ({"--kind": "storm"}, "storm"),
    ],
)
def test_outage_add_refuses_bad_input_and_writes_nothing(config, db_url, change, message):
    asyncio.run(upgrade(db_url))
    res = run(outage_app, config, *with_options(**change))
    assert res.exit_code == 2
    assert message in res.stderr
    assert query(db_url, list_notices) == []


def test_accounts_import_counts_and_upserts(config, db_url, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        HEADER + "3100000001,010101,张*,13800000001,-12.30,88.50,2026-10,150.5\n"
        "3100000002,010101,李*,,200,0,2026-10,0\n",
        encoding="utf-8",
    )
    res = run(accounts_app, config, "import", str(path))
    assert res.exit_code == 0, res.output
    assert "2 account(s) imported" in res.stdout
    path.write_text(HEADER + "3100000001,010101,张*,13800000001,5.00,88.50,2026-11,150.5\n", encoding="utf-8")
    assert "1 account(s) imported" in run(accounts_app, config, "import", str(path)).stdout
    assert str(query(db_url, account, "3100000001").balance) == "5.00"


def test_accounts_import_reports_every_bad_line_and_imports_nothing(config, db_url, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER + "3100000001,010101,张*,13800000001,1,1,2026-10,1\n"
        "31,010101,王*,13800000002,1,1,2026-10,1\n"
        "3100000003,010101,赵*,13800000003,x,1,2026-10,1\n",
        encoding="utf-8",
    )
    res = run(accounts_app, config, "import", str(path))
    assert res.exit_code == 2
    assert f"{path}:3: account_number" in res.stderr and f"{path}:4: balance" in res.stderr
    assert "2 error(s): nothing was imported" in res.stderr
    assert query(db_url, account, "3100000001") is None
    missing = run(accounts_app, config, "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_a_missing_config_is_reported(tmp_path):
    res = CliRunner().invoke(outage_app, ["list", "--config", str(tmp_path / "none.yaml")])
    assert res.exit_code == 2 and "none.yaml" in res.stderr
