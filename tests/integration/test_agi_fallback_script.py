"""agi_scripts/outage_notice.py as Asterisk runs it: a subprocess with a fake Asterisk on its
stdin/stdout (the AGI env block, then `200 result=0` for each command), against a real database."""

from __future__ import annotations

import ast
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from hotline.store.db import upgrade

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "agi_scripts" / "outage_notice.py"
CALLER = "13800138000"
AREA = "330102"

ACCOUNT = ("3301020001", AREA, "张*", CALLER, 120.5, 88.2, "2025-01", 310.0)
ACCOUNT_SQL = (
    "INSERT INTO accounts (account_number, area_code, masked_name, phone, balance, "
    "last_bill_amount, last_bill_month, last_usage_kwh, updated_at) VALUES ({})"
)
NOTICE_SQL = (
    "INSERT INTO outage_notices (id, area_code, area_name, towns, starts_at, ends_at, reason, "
    "kind, published_at, created_at) VALUES ({})"
)


def notice(
    nid: int,
    kind: str,
    *,
    area: str = AREA,
    starts_h: float = -1,
    ends_h: float = 1,
    published_h: float = -48,
) -> tuple:
    """A notice with its times in hours from now."""
    now = datetime.now(UTC)
    return (
        nid,
        area,
        "西湖区",
        '["北山街道"]',
        now + timedelta(hours=starts_h),
        now + timedelta(hours=ends_h),
        "线路检修",
        kind,
        now + timedelta(hours=published_h),
        now,
    )


def seed(db_url: str, notices: list[tuple], accounts: tuple = (ACCOUNT,)) -> None:
    """The schema from the project's migrations (the daemon's), then rows written as plain SQL."""
    asyncio.run(_seed(db_url, notices, [(*a, datetime.now(UTC)) for a in accounts]))


async def _seed(db_url: str, notices: list[tuple], accounts: list[tuple]) -> None:
    await upgrade(db_url)
    if db_url.startswith("sqlite"):

        def text(v):  # how SQLAlchemy stores a UTC timestamp in SQLite
            return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v

        con = sqlite3.connect(db_url.partition(":///")[2])
        with con:
            con.executemany(ACCOUNT_SQL.format(",".join("?" * 9)), [tuple(map(text, a)) for a in accounts])
            con.executemany(NOTICE_SQL.format(",".join("?" * 10)), [tuple(map(text, n)) for n in notices])
        con.close()
        return
    con = await asyncpg.connect(db_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await con.executemany(ACCOUNT_SQL.format(",".join(f"${i}" for i in range(1, 10))), accounts)
        await con.executemany(
            NOTICE_SQL.format(",".join(f"${i}" for i in range(1, 11))).replace("$4", "$4::json"), notices
        )
    finally:
        await con.close()


@dataclass
class Transcript:
    rc: int
    sent: list[bytes]
    stderr: str
    notes: list[str] = field(default_factory=list)


def env_block(callerid: str, args: list[str]) -> bytes:
    lines = [
        f"agi_request: {SCRIPT}",
        "agi_channel: DAHDI/1-1",
        "agi_language: zh",
        "agi_type: DAHDI",
        "agi_uniqueid: 1700000000.7",
        "agi_version: 22.0.0",
        f"agi_callerid: {callerid}",
        "agi_calleridname: unknown",
        "agi_callingpres: 0",
        "agi_callingani2: 0",
        "agi_callington: 0",
        "agi_callingtns: 0",
        "agi_dnid: 95598",
        "agi_rdnis: unknown",
        "agi_context: hotline-fallback",
        "agi_extension: s",
        "agi_priority: 3",
        "agi_enhanced: 0.0",
        "agi_accountcode: ",
        "agi_threadid: 139872",
    ]
    lines += [f"agi_arg_{i}: {a}" for i, a in enumerate(args, 1)]
    return ("\n".join(lines) + "\n\n").encode()


def run_script(
    args: list[str], callerid: str = CALLER, reply: Callable[[bytes], bytes] = lambda _: b"200 result=0\n"
) -> Transcript:
    """Run the script as Asterisk does; the fake answers every command line with `reply`."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err
        )
        out = Transcript(rc=-1, sent=[], stderr="")

        def asterisk() -> None:
            try:
                proc.stdin.write(env_block(callerid, args))
                proc.stdin.flush()
                for line in proc.stdout:
                    out.sent.append(line)
                    proc.stdin.write(reply(line))
                    proc.stdin.flush()
            except BrokenPipeError:  # the script left without reading: recorded, the test decides
                out.notes.append("script closed stdin")
            finally:
                proc.stdin.close()

        talker = threading.Thread(target=asterisk, daemon=True)
        talker.start()
        try:
            out.rc = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        talker.join(timeout=30)
        assert not talker.is_alive(), "fake Asterisk still talking after the script exited"
        err.seek(0)
        out.stderr = err.read().decode("utf-8", "replace")
    return out


def stream(prompts: Path, pid: str) -> bytes:
    return b'STREAM FILE "' + str(prompts).encode() + b"/" + pid.encode() + b'" ""\n'


@pytest.fixture
def prompts(tmp_path) -> Path:
    return tmp_path / "prompts dir"  # a space: the quoted argument must hold it


def test_notice_today_plays_outage_planned(db_url, prompts):
    seed(db_url, [notice(1, "planned")])
    t = run_script([db_url, str(prompts)])
    assert t.rc == 0, t.stderr
    assert t.sent == [stream(prompts, "outage_planned")]


def test_no_notice_plays_outage_none(db_url, prompts):
    seed(db_url, [])
    t = run_script([db_url, str(prompts)])
    assert t.rc == 0, t.stderr
    assert t.sent == [stream(prompts, "outage_none")]


def test_fault_is_announced_before_planned(tmp_path, prompts):
    db = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    seed(db, [notice(1, "planned", starts_h=-0.5, ends_h=2), notice(2, "fault", ends_h=5)])
    t = run_script([db, str(prompts)], callerid="+86 138-0013-8000")
    assert t.rc == 0, t.stderr
    assert t.sent == [stream(prompts, "outage_fault_known"), stream(prompts, "outage_planned")]


def test_notices_that_do_not_apply_today_are_not_announced(tmp_path, prompts):
    db = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    seed(
        db,
        [
            notice(1, "planned", area="999999"),  # another area
            notice(3, "planned", published_h=5),  # published later
            notice(4, "fault", starts_h=-5, ends_h=-0.1),  # already over
            notice(5, "planned", starts_h=49, ends_h=52),
        ],
    )  # the day after tomorrow
    t = run_script([db, str(prompts)])
    assert t.rc == 0, t.stderr
    assert t.sent == [stream(prompts, "outage_none")]


@pytest.mark.parametrize("minutes, played", [(-1, "outage_planned"), (1, "outage_none")])
def test_today_ends_at_midnight_in_shanghai(tmp_path, prompts, minutes, played):
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=local.tzinfo)
    starts_h = (midnight - now).total_seconds() / 3600 + minutes / 60
    db = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    seed(db, [notice(1, "planned", starts_h=starts_h, ends_h=starts_h + 4)])
    t = run_script([db, str(prompts)])
    assert (t.rc, t.sent) == (0, [stream(prompts, played)]), t.stderr


def test_caller_without_account_hears_nothing(tmp_path, prompts):
    db = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    seed(db, [notice(1, "planned")])
    t = run_script([db, str(prompts)], callerid="13900139000")
    assert (t.rc, t.sent) == (0, [])
    assert "in no account" in t.stderr


@pytest.mark.parametrize("case", ["missing file", "no tables", "relative path", "bad scheme"])
def test_database_problems_play_nothing_and_explain(tmp_path, prompts, case):
    db = {
        "missing file": f"sqlite:///{tmp_path / 'nope.db'}",
        "no tables": f"sqlite:///{tmp_path / 'e.db'}",
        "relative path": "sqlite+aiosqlite:///var/hotline.db",
        "bad scheme": "mysql://u:secret@h/db",
    }[case]
    if case == "no tables":
        sqlite3.connect(tmp_path / "e.db").close()
    t = run_script([db, str(prompts)])
    assert (t.rc, t.sent) == (0, [])
    assert {
        "missing file": "cannot open the SQLite database",
        "no tables": "no such table",
        "relative path": "absolute path",
        "bad scheme": "only sqlite and postgresql",
    }[case] in t.stderr
    assert "playing nothing" in t.stderr and "Traceback" not in t.stderr
    assert not (tmp_path / "nope.db").exists()  # read-only: no empty database created
    assert "secret" not in t.stderr


@pytest.mark.parametrize(
    "args", [[], ["sqlite:////x.db"], ["sqlite:////x.db", 'bad"dir'], ["sqlite:////x.db", "/p", "extra"]]
)
def test_bad_arguments_play_nothing(args):
    t = run_script(args)
    assert (t.rc, t.sent) == (0, [])
    assert "playing nothing" in t.stderr


@pytest.mark.parametrize("callerid", ["unknown", "", '"1380013800"', "138 0013 8000; DROP TABLE accounts"])
def test_bad_caller_id_plays_nothing(tmp_path, prompts, callerid):
    db = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    seed(db, [notice(1, "planned")])
    t = run_script([db, str(prompts)], callerid=callerid)
    assert (t.rc, t.sent) == (0, [])
    assert "is not a phone number" in t.stderr


@pytest.mark.parametrize(
    "callerid",
    [
        f"{CALLER}\nEXEC Dial PJSIP/1001",
        f"{CALLER}\n\nEXEC Dial PJSIP/1001",
        f"{CALLER}\rEXEC Dial PJSIP/1001",
        f'{CALLER}" ""\nEXEC Dial x',
    ],
)
def test_newline_in_caller_id_injects_no_command(tmp_path, prompts, callerid):
    db = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    seed(db, [notice(1, "planned")])
    t = run_script([db, str(prompts)], callerid=callerid)
    assert t.rc == 0, t.stderr
    allowed = {stream(prompts, p) for p in ("outage_planned", "outage_fault_known", "outage_none")}
    assert set(t.sent) <= allowed, t.sent
    assert not any(b"EXEC" in line or b"Dial" in line for line in t.sent)
    assert "Traceback" not in t.stderr
    if callerid == f"{CALLER}\nEXEC Dial PJSIP/1001":  # pyst2 takes the stray line as an env key
        assert t.sent == [stream(prompts, "outage_planned")]


def test_failed_playback_stops_and_exits_0(tmp_path, prompts):
    db = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    seed(db, [notice(1, "planned"), notice(2, "fault")])
    t = run_script([db, str(prompts)], reply=lambda _: b"200 result=-1 endpos=0\n")
    assert (t.rc, t.sent) == (0, [stream(prompts, "outage_fault_known")])
    assert "could not play outage_fault_known" in t.stderr


def test_script_is_executable_and_imports_no_daemon():
    assert os.access(SCRIPT, os.X_OK)
    text = SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env python3\n")
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    assert imported - stdlib == {"asterisk", "asyncpg"}  # pyst2 and the PostgreSQL driver only
