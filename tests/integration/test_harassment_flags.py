"""Harassment flags in the store (hotline/harassment/flags.py): national form, idempotent
flag and clear, history kept, bad input refused before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hotline.harassment.flags import HarassmentError, clear_flag, flag_number, is_flagged, list_flags
from hotline.harassment.models import FlaggedNumberRow

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def rows(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(FlaggedNumberRow))).scalar_one()


async def test_a_flag_is_stored_in_national_form_and_found_in_any_written_form(engine):
    done = await flag_number(engine, "+86 138-0000-1111", " 多次辱骂座席 ", "001", "1700000000.5", T0)
    assert done.created
    f = done.flag
    assert (f.number, f.reason, f.flagged_by, f.call_uniqueid) == (
        "13800001111",
        "多次辱骂座席",
        "001",
        "1700000000.5",
    )
    assert f.flagged_at == T0 and f.active
    for written in ("13800001111", "008613800001111", "8613800001111", "138 0000 1111"):
        assert await is_flagged(engine, written), written
    assert not await is_flagged(engine, "13800001112")
    assert not await is_flagged(engine, "anonymous")


async def test_flagging_a_flagged_number_changes_nothing(engine):
    first = await flag_number(engine, "13800001111", "辱骂", "001", None, T0)
    again = await flag_number(engine, "+8613800001111", "又来了", "002", None, T0 + timedelta(hours=1))
    assert not again.created and again.flag == first.flag
    assert await rows(engine) == 1


async def test_clearing_keeps_the_history_and_a_new_flag_is_a_new_row(engine):
    await flag_number(engine, "05511234567", "恶意占线", "001", None, T0)
    (cleared,) = await clear_flag(engine, "0551-1234567", "wang", T0 + timedelta(days=1))
    assert cleared.cleared_by == "wang" and cleared.cleared_at == T0 + timedelta(days=1)
    assert not cleared.active and not await is_flagged(engine, "05511234567")
    assert await clear_flag(engine, "05511234567", "wang", T0 + timedelta(days=2)) == []  # no-op
    again = await flag_number(engine, "05511234567", "再次骚扰", "003", None, T0 + timedelta(days=3))
    assert again.created and await is_flagged(engine, "05511234567")
    assert [f.reason for f in await list_flags(engine)] == ["再次骚扰"]
    history = await list_flags(engine, include_cleared=True)
    assert [(f.reason, f.active) for f in history] == [("再次骚扰", True), ("恶意占线", False)]
    assert [f.reason for f in await list_flags(engine, include_cleared=True, limit=1)] == ["再次骚扰"]


async def test_a_flag_stored_under_an_older_form_is_found_and_cleared(engine):
    async with engine.begin() as conn:  # as an older import may have stored it
        await conn.execute(
            FlaggedNumberRow.__table__.insert().values(
                number="013800001111", reason="旧数据", flagged_at=T0, flagged_by="001"
            )
        )
    assert await is_flagged(engine, "13800001111")
    assert not (await flag_number(engine, "13800001111", "x", "001", None, T0)).created
    assert len(await clear_flag(engine, "+86 138 0000 1111", "wang", T0)) == 1
    assert not await is_flagged(engine, "013800001111")


@pytest.mark.parametrize(
    "number, reason, by, uid, message",
    [
        ("", "r", "001", None, "empty"),
        ("   ", "r", "001", None, "empty"),
        ("138abc0000", "r", "001", None, "character 'a'"),
        ("138;0000", "r", "001", None, "character ';'"),
        ("+44 20 7946 0000", "r", "001", None, "only Chinese numbers"),
        ("13800001111", "", "001", None, "原因不能为空"),
        ("13800001111", "x" * 201, "001", None, "原因过长"),
        ("13800001111", "a\nb", "001", None, "控制字符"),
        ("13800001111", "r", " ", None, "标记人不能为空"),
        ("13800001111", "r", "1" * 65, None, "标记人过长"),
        ("13800001111", "r", "001", "9" * 65, "通话编号过长"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(engine, number, reason, by, uid, message):
    with pytest.raises(HarassmentError, match=message):
        await flag_number(engine, number, reason, by, uid, T0)
    assert await rows(engine) == 0


async def test_clear_refuses_a_bad_number_or_actor(engine):
    await flag_number(engine, "13800001111", "r", "001", None, T0)
    with pytest.raises(HarassmentError, match="character 'x'"):
        await clear_flag(engine, "1380000111x", "wang", T0)
    with pytest.raises(HarassmentError, match="解除人不能为空"):
        await clear_flag(engine, "13800001111", "", T0)
    assert await is_flagged(engine, "13800001111")
