"""The voice menu over the real Asterisk: sipp callers press RFC 4733 keys; paths land in SQL."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import wave
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from e2e_setup import ROOT, rows_for

from hotline.selfservice.account_import import parse_accounts, upsert_accounts
from hotline.settings import load_settings
from hotline.store.db import make_engine
from ivr.menu_load import load_menu
from ivr.say_zh import say_amount
from ivr.simulate import Caller
from lab.ami import AmiCredentials, RawAmi
from lab.caller_steps import Dtmf, Speak, Wait
from lab.rtp_pcap import wav_to_pcap
from lab.sipp import call, start_call
from prompts.catalog import load_catalog

pytestmark = pytest.mark.e2e
AFTER_GREETING = Wait(7.5)  # the greeting (6.5 s) cannot be interrupted; the menus can
KEY_GAP = Wait(0.6)


def menu():
    return load_menu(ROOT / "config" / "menu.yaml", known_prompts=set(load_catalog(company="X")))


def expected_path(keys: str) -> list[tuple[str, str]]:
    c = Caller(menu())
    c.start()
    for k in keys:
        c.press(k)
    if c.state not in ("transferred", "ended"):
        c.hang_up()
    return [(s.node, s.key) for s in c.call.path]


def path_of(row) -> list[tuple[str, str]]:
    return [(step["node"], step["key"]) for step in row.ivr_path]


def key_steps(keys: str) -> list:
    steps: list = [AFTER_GREETING]
    for k in keys:
        steps += [Dtmf(k), KEY_GAP]
    return steps


def db_url(hotline_lab) -> str:
    return load_settings(hotline_lab[1]).database.url


async def test_walk_to_level_5_and_back_to_the_top_with_star(hotline_lab, daemon):
    keys = "4211" + "****"  # guide > business > new install > resident (level 5), then up 4 times
    result = await call(caller="13900000201", steps=key_steps(keys) + [Wait(1.0)], timeout=60)
    assert result.ok
    (row,) = await rows_for(db_url(hotline_lab), "13900000201")
    assert path_of(row) == expected_path(keys)
    assert [n for n, _ in path_of(row)][:5] == [
        "top",
        "guide",
        "business",
        "new_install",
        "new_install_resident",
    ]
    assert path_of(row)[-2][0] == "top" and row.outcome == "ivr_only"
    assert row.menu_version.startswith("2025.1+")


async def test_zero_on_every_level_reaches_the_agent(hotline_lab, daemon):
    prefixes = ["", "4", "42", "421", "4211"]
    handles = [
        await start_call(caller=f"139000035{i:02d}", steps=key_steps(p + "0") + [Wait(3.0)], timeout=60)
        for i, p in enumerate(prefixes)
    ]
    results = await asyncio.gather(*(h.wait() for h in handles))
    assert all(r.ok for r in results), results
    for i, p in enumerate(prefixes):
        (row,) = await rows_for(db_url(hotline_lab), f"139000035{i:02d}")
        assert path_of(row)[: len(expected_path(p + "0"))] == expected_path(p + "0")
        assert ("agent", "0") in path_of(row) or path_of(row)[-2][0] == "agent"
        assert row.queued_at is not None  # handed to the agents (none registered: still waiting)
        assert row.outcome == "abandoned_queue"


async def test_three_invalid_keys_reach_the_agent(hotline_lab, daemon):
    result = await call(caller="13900000401", steps=key_steps("777") + [Wait(6.0)], timeout=60)
    assert result.ok
    (row,) = await rows_for(db_url(hotline_lab), "13900000401")
    assert path_of(row)[: len(expected_path("777"))] == expected_path("777")
    assert row.queued_at is not None and row.outcome == "abandoned_queue"


async def _ami(hotline_lab) -> RawAmi:
    s = load_settings(hotline_lab[1])
    return await RawAmi.connect(
        AmiCredentials("127.0.0.1", s.ami.port, s.ami.username, s.ami.secret.get_secret_value())
    )


def _played(conn: RawAmi, uniqueid: str) -> list[str]:
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


async def test_bill_query_reads_the_balance_of_a_real_account(hotline_lab, daemon):
    engine = make_engine(db_url(hotline_lab))
    try:
        rows = parse_accounts(
            "account_number,area_code,masked_name,phone,balance,last_bill_amount,"
            "last_bill_month,last_usage_kwh\n3201000001,320100,张*,13900000501,123.45,"
            "88.20,2026-10,215.0\n"
        )
        await upsert_accounts(engine, rows, now=datetime.now(UTC))
    finally:
        await engine.dispose()
    conn = await _ami(hotline_lab)
    try:
        steps = [
            AFTER_GREETING,
            Dtmf("2"),
            Wait(2.0),
            Dtmf("3201000001#", tone_ms=120),
            Wait(9.0),
            Dtmf("1"),
            Wait(14.0),
        ]
        result = await call(caller="13900000501", steps=steps, timeout=60)
        assert result.ok
        (row,) = await rows_for(db_url(hotline_lab), "13900000501")
        played = _played(conn, row.uniqueid)
        assert "bill_balance" in played, played
        after = played[played.index("bill_balance") + 1 :]
        amount = list(say_amount(Decimal("123.45")))
        assert after[: len(amount)] == amount, after
        assert ("bill", "entry") in path_of(row) and row.business_category == "bill_query"
    finally:
        await conn.close()


async def test_a_key_stops_a_multi_message_announcement(hotline_lab, daemon):
    conn = await _ami(hotline_lab)
    try:
        steps = [AFTER_GREETING, Dtmf("4"), Wait(1.0), Dtmf("1"), Wait(5.0), Dtmf("5"), Wait(2.0)]
        result = await call(caller="13900000601", steps=steps, timeout=60)
        assert result.ok
        (row,) = await rows_for(db_url(hotline_lab), "13900000601")
        played = _played(conn, row.uniqueid)
        i = played.index("press_any_key_to_stop")
        assert played[i + 1] == "policy_tiered_tariff"
        assert "policy_payment" not in played  # the key stopped the messages ...
        assert played[i + 2] == "menu_guide"  # ... and returned to the menu
        assert path_of(row)[2:4] == [("policy", "1"), ("guide", "5")]  # the stop key, logged back at the menu
    finally:
        await conn.close()


async def test_menu_reload_is_swapped_in_for_new_calls(hotline_lab, daemon, e2e_dir):
    first = await call(caller="13900000701", steps=[Wait(1.0)])
    assert first.ok
    (row1,) = await rows_for(db_url(hotline_lab), "13900000701")
    proc = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "menu", "reload", "-c", str(hotline_lab[1])],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    daemon.wait_log(lambda e: e.get("event") == "menu.reloaded", 10)
    second = await call(caller="13900000702", steps=[Wait(1.0)])
    assert second.ok
    (row2,) = await rows_for(db_url(hotline_lab), "13900000702")
    assert row1.menu_version == row2.menu_version  # same file: same version and hash


async def test_a_voice_message_is_recorded_and_linked_to_the_call(hotline_lab, daemon, e2e_dir):
    voice = e2e_dir / "voice.pcap"
    seconds = wav_to_pcap(e2e_dir / "lab" / "prompts" / "menu_top.wav", voice)  # 18 s of speech
    steps = [
        AFTER_GREETING,
        Dtmf("6"),
        Wait(1.0),
        Dtmf("2"),
        Wait(7.0),  # record_message + beep
        Speak(str(voice), 6.0),
        Dtmf("#"),
        Wait(6.0),
    ]
    assert seconds > 6
    result = await call(caller="13900000801", steps=steps, timeout=60)
    assert result.ok
    (row,) = await rows_for(db_url(hotline_lab), "13900000801")
    assert row.outcome == "message_left" and row.business_category == "message"
    assert row.message_path and row.message_path.startswith("/var/spool/asterisk/monitor/message-")
    host_file = hotline_lab[0].host_path(row.message_path)
    with wave.open(str(host_file)) as w:
        recorded = w.getnframes() / w.getframerate()
    assert 4.0 < recorded < 8.0, recorded
    assert ("message", "recorded") in path_of(row)
