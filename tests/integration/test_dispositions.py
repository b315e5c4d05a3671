"""The agent's disposition on the call row: saved, corrected, every save an event, refusals that
change nothing. On SQLite and PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from hotline.settings import Categories
from hotline.store.dispositions import DispositionError, disposition_of, save_disposition
from hotline.store.models import Call
from hotline.store.queries import fetch_call, fetch_events

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CATS = Categories()


async def add_call(
    engine, uid: str, agent_id: str | None = "001", category: str | None = "consultation"
) -> None:
    row = {
        "uniqueid": uid,
        "direction": "inbound",
        "started_at": T0,
        "ended_at": T0 + timedelta(minutes=3),
        "outcome": "agent_answered",
        "agent_id": agent_id,
        "business_category": category,
    }
    async with engine.begin() as conn:
        await conn.execute(insert(Call), [row])


async def save(engine, uid="c.1", agent="001", category="fault_repair", note=None, at=T0, cats=CATS):
    return await save_disposition(
        engine, uniqueid=uid, agent_id=agent, category=category, note=note, at=at, categories=cats
    )


async def test_a_disposition_is_stored_on_the_call_beside_the_menus_category(engine):
    await add_call(engine, "c.1")
    at = T0 + timedelta(minutes=4)
    saved = await save(engine, note="  10kV 线路跳闸,已派修  ", at=at)
    assert (saved.category, saved.note, saved.disposed_at, saved.disposed_by, saved.corrected) == (
        "fault_repair", "10kV 线路跳闸,已派修", at, "001", False
    )  # fmt: skip
    call = await fetch_call(engine, "c.1")
    assert call is not None
    assert (call.agent_category, call.disposition_note, call.disposed_at, call.disposed_by) == (
        "fault_repair", "10kV 线路跳闸,已派修", at, "001"
    )  # fmt: skip
    assert call.business_category == "consultation"  # the IVR function stays the menu's
    [event] = await fetch_events(engine, "c.1")
    assert (event.kind, event.at, event.data) == (
        "disposition", at, {"category": "fault_repair", "note": "10kV 线路跳闸,已派修", "agent_id": "001"}
    )  # fmt: skip
    assert await disposition_of(engine, "c.1") == saved


async def test_saving_again_corrects_it_and_every_save_stays_an_event(engine):
    await add_call(engine, "c.1")
    await save(engine, category="consultation", note="问电价", at=T0)
    again = await save(engine, category="information_query", note="", at=T0 + timedelta(seconds=30))
    assert again.corrected and again.note is None
    call = await fetch_call(engine, "c.1")
    assert (call.agent_category, call.disposition_note, call.disposed_at) == (
        "information_query", None, T0 + timedelta(seconds=30)
    )  # fmt: skip
    assert [(e.kind, e.data) for e in await fetch_events(engine, "c.1")] == [
        ("disposition", {"category": "consultation", "note": "问电价", "agent_id": "001"}),
        ("disposition", {"category": "information_query", "note": None, "agent_id": "001"}),
    ]


async def test_a_call_still_without_its_agent_may_be_filed_by_the_agent_at_the_desk(engine):
    await add_call(engine, "c.open", agent_id=None)
    assert (await save(engine, uid="c.open", agent="002")).disposed_by == "002"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"category": "bill_query"}, "未配置的座席业务分类 'bill_query'"),  # an IVR function only
        ({"category": "gossip"}, "可选: 业务咨询(consultation)、信息查询(information_query)"),
        ({"uid": "c.none"}, "没有这通电话"),
        ({"agent": "002"}, "这通电话由座席001接听,座席002不能为它分类"),
        ({"agent": "工号1"}, "无效的工号"),
        ({"uid": ""}, "无效的通话编号"),
        ({"note": "一" * 501}, "备注最多500字(现有501字)"),
        ({"note": "第一行\n第二行"}, "不能含换行或控制字符(U+000A)"),
        ({"note": "a\x00b"}, "控制字符"),
        ({"note": "\ud800"}, "无效的字符"),
    ],
)
async def test_refusals_change_nothing(engine, kwargs, message):
    await add_call(engine, "c.1")
    await save(engine, category="consultation", note="先前的")
    with pytest.raises(DispositionError, match=re.escape(message)):
        await save(engine, **kwargs)
    call = await fetch_call(engine, "c.1")
    assert (call.agent_category, call.disposition_note) == ("consultation", "先前的")
    assert len(await fetch_events(engine, "c.1")) == 1


async def test_a_note_of_500_characters_fits_and_the_site_list_decides(engine):
    await add_call(engine, "c.1")
    assert (await save(engine, note=" " + "一" * 500 + " ")).note == "一" * 500
    site = Categories(agent_categories={"outage": "停电咨询"})
    assert (await save(engine, category="outage", cats=site)).category == "outage"
    with pytest.raises(DispositionError, match="可选: 停电咨询\\(outage\\)"):
        await save(engine, category="fault_repair", cats=site)


async def test_nothing_saved_reads_as_none(engine):
    await add_call(engine, "c.1")
    assert await disposition_of(engine, "c.1") is None
    assert await disposition_of(engine, "c.none") is None
    with pytest.raises(ValueError, match="timezone-aware"):
        await save(engine, at=datetime(2026, 12, 1, 10, 0))
