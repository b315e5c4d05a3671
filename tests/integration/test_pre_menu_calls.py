"""What callers hear before the menu, through the daemon over real FastAGI sockets (scripted
Asterisk ends, a real store): the harassment warning (seed 000 §27) and the repair notice
(seed 000 §24), their call events, their IVR path steps, and the calls going on to the menu."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from fake_asterisk import FakeCall
from pre_menu_data import T0, add_account, add_repair, break_table

from hotline.harassment.flags import flag_number
from hotline.services.peak_mode import switch
from hotline.store.orphans import close_orphan
from hotline.store.queries import fetch_call, fetch_events

P = "/var/lib/hotline/prompts"
GREETING = f'STREAM FILE "{P}/greeting"'
WARNING = f'STREAM FILE "{P}/harassment_warning" ""'
NOTICE = f'STREAM FILE "{P}/repair_notice" ""'
PEAK = f'STREAM FILE "{P}/peak_notice" ""'
CALLER = "13900000501"


async def _call(daemon, uid: str, caller: str = CALLER, hang_up_on: str = GREETING):
    call = FakeCall(daemon.server.port, uid, caller=caller, hang_up_on=hang_up_on)
    await asyncio.wait_for(call.run(), 10)
    await daemon.ctx.recorder.flush()
    engine = daemon.ctx.engine
    return call, await fetch_call(engine, uid), await fetch_events(engine, uid)


def nodes(row) -> list[tuple[str, str]]:
    return [(s["node"], s["key"]) for s in row.ivr_path]


def of_kind(events, kind: str) -> list:
    return [e.data for e in events if e.kind == kind]


async def test_a_flagged_caller_is_warned_logged_and_goes_on_to_the_menu(daemon):
    await flag_number(daemon.ctx.engine, CALLER, "辱骂座席", "001", None, T0)
    call, row, events = await _call(daemon, "700.1", caller="+86 139 0000 0501")
    assert call.received[:2] == ["ANSWER", WARNING]
    assert call.received[2].startswith(GREETING)  # warned, not blocked: the menu follows
    assert of_kind(events, "harassment_warning") == [{"number": CALLER}]
    assert nodes(row)[0] == ("harassment_warning", "") and nodes(row)[1][0] == "top"
    assert row.outcome == "ivr_only"


async def test_a_caller_in_an_area_under_repair_hears_the_notice_first(daemon):
    engine = daemon.ctx.engine
    await add_account(engine, "3201000001", "320100", CALLER)
    await add_repair(engine, "GD202612020001", "320100")
    await add_repair(engine, "GD202612010001", "320100", status="closed")
    call, row, events = await _call(daemon, "710.1")
    assert call.received[1] == NOTICE and call.received[2].startswith(GREETING)
    assert of_kind(events, "repair_notice") == [{"orders": ["GD202612020001"], "area_codes": ["320100"]}]
    assert nodes(row)[0] == ("repair_notice", "")
    ivr_steps = of_kind(events, "ivr_step")
    assert ivr_steps[0]["node"] == "repair_notice" and ivr_steps == row.ivr_path
    other, other_row, _ = await _call(daemon, "710.2", caller="13900000999")  # no account
    assert NOTICE not in other.received and other.received[1].startswith(GREETING)
    assert nodes(other_row)[0][0] == "top"


async def test_warning_then_notice_and_no_peak_notice_repeating_it(daemon):
    engine = daemon.ctx.engine
    await add_account(engine, "3201000001", "320100", CALLER)
    await add_repair(engine, "GD202612020001", "320100")
    await flag_number(engine, CALLER, "恶意占线", "001", None, T0)
    switch(Path(daemon.ctx.settings.peak.flag_file), True)
    call, row, _ = await _call(daemon, "720.1")
    assert call.received[1:3] == [WARNING, NOTICE] and call.received[3].startswith(GREETING)
    assert PEAK not in call.received
    assert [n for n, _ in nodes(row)][:3] == ["harassment_warning", "repair_notice", "top"]
    plain, _, _ = await _call(daemon, "720.2", caller="13900000999")
    assert plain.received[1] == PEAK  # peak mode still tells everyone else


async def test_hanging_up_during_the_warning_is_a_step_and_an_ivr_only_call(daemon):
    await flag_number(daemon.ctx.engine, CALLER, "辱骂", "001", None, T0)
    call, row, events = await _call(daemon, "730.1", hang_up_on=WARNING)
    assert not any(c.startswith(GREETING) for c in call.received)
    assert nodes(row) == [("harassment_warning", ""), ("harassment_warning", "hangup")]
    assert row.outcome == "ivr_only"
    # a daemon killed at that moment: orphan recovery rebuilds the same path and outcome
    logged = [(e.at, e.kind, e.data) for e in events]
    closed = close_orphan({"direction": "inbound"}, logged, datetime.now(UTC))
    assert closed["ivr_path"] == row.ivr_path and closed["outcome"] == "ivr_only"


async def test_a_broken_store_costs_the_prompts_not_the_call(daemon):
    engine = daemon.ctx.engine
    await add_account(engine, "3201000001", "320100", CALLER)
    await add_repair(engine, "GD202612020001", "320100")
    await flag_number(engine, CALLER, "辱骂", "001", None, T0)
    await break_table(engine, "flagged_numbers")
    await break_table(engine, "work_orders")
    call, row, events = await _call(daemon, "740.1")
    assert call.received[1].startswith(GREETING)
    assert row.outcome == "ivr_only" and nodes(row)[0][0] == "top"
    assert not of_kind(events, "harassment_warning") and not of_kind(events, "repair_notice")
