"""The lookups before the menu (hotline/calls/pre_menu.py) against a real store: what they find,
and that a broken or slow database costs at most the prompt, never the call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from pre_menu_data import T0, add_account, add_repair, break_table
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from structlog.testing import capture_logs

from hotline.calls.caller_facts import CallerFacts, caller_facts
from hotline.calls.pre_menu import Found, _repairs, bounded, look_up
from hotline.harassment.flags import clear_flag, flag_number, is_flagged


@pytest.fixture
async def facts(engine) -> AsyncIterator[CallerFacts]:
    f = CallerFacts(engine)
    yield f
    await f.close()


async def test_a_flagged_caller_with_an_account_in_a_repaired_area(engine, facts):
    await add_account(engine, "3201000001", "320100", "13900000501")
    await add_account(engine, "3201020001", "320102", "013900000501")  # an older import's form
    await add_account(engine, "3201030001", "320103", "13900000999")  # someone else's
    await add_repair(engine, "GD202612020001", "320100")
    await add_repair(engine, "GD202612020002", "320102", created_at=T0.replace(hour=3))
    await add_repair(engine, "GD202612020003", "320103")  # not the caller's area
    await add_repair(engine, "GD202612010009", "320100", status="closed")
    await flag_number(engine, "13900000501", "辱骂", "001", None, T0)
    found = await look_up(facts, "+86 139 0000 0501")
    assert found.flagged_number == "13900000501"
    assert [r.number for r in found.repairs] == ["GD202612020002", "GD202612020001"]  # newest first
    await clear_flag(engine, "13900000501", "wang", T0)
    assert (await look_up(facts, "13900000501")).flagged_number is None


async def test_an_unknown_or_unusable_caller_finds_nothing(engine, facts):
    await add_repair(engine, "GD202612020001", "320100")
    assert await look_up(facts, "13900000777") == Found()
    assert await look_up(facts, "") == Found()
    assert await look_up(facts, "anonymous") == Found()


async def test_a_broken_table_skips_its_prompt_only_and_is_logged(engine, facts):
    await add_account(engine, "3201000001", "320100", "13900000501")
    await add_repair(engine, "GD202612020001", "320100")
    await flag_number(engine, "13900000501", "辱骂", "001", None, T0)
    await break_table(engine, "flagged_numbers")
    with capture_logs() as logs:
        found = await look_up(facts, "13900000501")
    assert found.flagged_number is None and [r.number for r in found.repairs] == ["GD202612020001"]
    (failed,) = [e for e in logs if e["event"] == "pre_menu.lookup_failed"]
    assert failed["lookup"] == "harassment" and "flagged_numbers" in failed["error"]


async def test_a_lookup_that_does_not_answer_is_given_up_after_its_timeout():
    never: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
    started = time.monotonic()
    with capture_logs() as logs:
        assert await bounded("harassment", never, False, 0.05) is False
    assert time.monotonic() - started < 1.0
    assert never.cancelled()
    assert logs[0]["event"] == "pre_menu.lookup_failed" and "within 0.05 s" in logs[0]["error"]


async def test_the_one_statement_answers_as_the_separate_lookups_do(engine, facts):
    await add_account(engine, "3201000001", "320100", "13900000501")
    await add_account(engine, "3201020001", "320102", "8613900000501")
    await add_account(engine, "3201030001", "320103", "02552000001")  # a landline
    await add_repair(engine, "GD202612020001", "320100")
    await add_repair(engine, "GD202612020002", "320102", created_at=T0.replace(hour=3))
    await add_repair(engine, "GD202612020003", "320103", status="answered")
    await add_repair(engine, "GD202612010009", "320100", status="closed")
    await flag_number(engine, "02552000001", "骚扰", "001", None, T0)
    await flag_number(engine, "13900000777", "骚扰", "001", None, T0)
    for number in ("13900000501", "02552000001", "13900000777", "13900000888"):
        one = await caller_facts(engine, number)
        separate = (await is_flagged(engine, number), await _repairs(engine, number))
        assert one == separate == await facts(number), number  # facts: the kept connection
    assert [r.number for r in (await caller_facts(engine, "13900000501"))[1]] == [
        "GD202612020002",
        "GD202612020001",
    ]


class Silent:
    """A statement that never answers."""

    engine = None

    async def __call__(self, number: str) -> None:
        await asyncio.get_running_loop().create_future()


async def test_a_statement_that_does_not_answer_costs_both_prompts_and_one_timeout():
    started = time.monotonic()
    with capture_logs() as logs:
        assert await look_up(Silent(), "13900000501", timeout_s=0.05) == Found()  # type: ignore[arg-type]
    assert time.monotonic() - started < 1.0
    assert [(e["event"], e["lookup"]) for e in logs] == [
        ("pre_menu.lookup_failed", "harassment"),
        ("pre_menu.lookup_failed", "repairs"),
    ]


async def test_a_failed_statement_drops_the_kept_connection_and_the_next_call_takes_a_new_one(engine, facts):
    await add_account(engine, "3201000001", "320100", "13900000501")
    await add_repair(engine, "GD202612020001", "320100")
    assert [r.number for r in (await facts("13900000501"))[1]] == ["GD202612020001"]
    await break_table(engine, "work_orders")
    with pytest.raises(DBAPIError, match="work_orders"):  # as SQLAlchemy raises it
        await facts("13900000501")
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE work_orders_gone RENAME TO work_orders"))
    assert [r.number for r in (await facts("13900000501"))[1]] == ["GD202612020001"]


async def test_the_kept_connection_is_given_back_on_close(engine, facts):
    await facts("13900000501")
    kept = 1 if engine.dialect.driver == "aiosqlite" else 0  # PostgreSQL: through the pool
    assert engine.pool.checkedout() == kept
    await facts.close()
    assert engine.pool.checkedout() == 0


async def test_calls_that_arrive_together_share_one_kept_connection(engine, facts):
    answers = await asyncio.gather(*(facts(f"1390000{i:04d}") for i in range(8)))
    assert answers == [(False, ())] * 8
    assert engine.pool.checkedout() == (1 if engine.dialect.driver == "aiosqlite" else 0)
