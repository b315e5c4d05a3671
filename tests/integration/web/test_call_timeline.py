"""A call's page: its timeline in local time with Chinese labels, in time order whatever order
the events were written in (start first, then the events, the work order, the end)."""

from __future__ import annotations

import re

import pytest
from calls_app import ASTERISK_DIR, add_accounts, at, build, call, client_as, insert_calls, site
from sqlalchemy import insert

from hotline.orders.models import WorkOrderRow

UID = "1764554400.7"


def ev(local: str, kind: str, **data: object) -> dict[str, object]:
    return {"call_uniqueid": UID, "at": at(f"2026-12-01 {local}"), "kind": kind, "data": data}


EVENTS = [
    ev("10:00:00", "ivr_step", node="main", key="", at="x"),
    ev("10:00:05", "ivr_step", node="bill", key="2", at="x"),
    ev("10:00:08", "ivr_step", node="agent", key="0", at="x"),
    ev("10:00:08", "queued", category="bill_query", priority=5, wait_s=0.0),  # same instant: logged order
    ev("10:00:10", "offer", agent_id="001", attempt=1, wait_s=2.0, late=False),
    ev("10:00:22", "no_answer", agent_id="001", attempt=1, ring_s=12.0, wait_s=14.0),
    ev("10:00:10", "ring", agent_id="001", attempt=1, after_offer_s=0.1),  # written late, happened early
    ev("10:00:22", "offer", agent_id="002", attempt=2, wait_s=14.0, late=True),
    ev("10:00:25", "answer", agent_id="002", attempt=2, ring_s=3.0, wait_s=17.0),
    ev("10:00:25", "agent_state", agent_id="002", **{"from": "ringing", "to": "talking"}),
    ev("10:01:00", "recorded", purpose="fault", path=f"{ASTERISK_DIR}/fault-{UID}-1.wav", seconds=4.0),
    ev("10:01:25", "call_end", agent_id="002", talk_s=60.0),
    ev("10:01:30", "survey", score=5, agent_id="002"),
]
EXPECTED = [
    ("10:00:00", "来电：13800001111（线路 trunk1）"),
    ("10:00:00", "菜单「主菜单」进入"),
    ("10:00:05", "菜单「电费查询」按键 2"),
    ("10:00:08", "菜单「agent」按键 0"),
    ("10:00:08", "转人工排队（电量电费查询，优先）"),
    ("10:00:10", "分配给 座席 001 张三（第 1 次，已等待 2 秒）"),
    ("10:00:10", "座席 001 张三 振铃"),
    ("10:00:22", "座席 001 张三 未接听（振铃 12 秒）"),
    ("10:00:22", "分配给 座席 002 李四（第 2 次，已等待 14 秒）"),
    ("10:00:25", "座席 002 李四 接听（振铃 3 秒）"),
    ("10:00:25", "座席 002 李四 状态 振铃 → 通话"),
    ("10:01:00", "来电者录音：故障描述（4 秒） 录音"),
    ("10:01:25", "通话结束（通话 60 秒）"),
    ("10:01:30", "满意度评价 5 分（1-5）"),
    ("10:01:35", "结束：人工接听"),
    ("10:01:40", "座席 002 李四 话后小结（投诉举报）：用户投诉抄表不准"),
    ("10:01:50", "创建工单 GD20261201001（投诉，待处理）由 002"),
    ("12-02 09:00:00", "工单 GD20261201001 办结"),
]


@pytest.fixture
async def app(engine, db_url, tmp_path, clock, offload):
    clock.now = at("2026-12-02 10:00:00")
    row = call(UID, "2026-12-01 10:00:00", caller_number="13800001111", trunk="trunk1", agent_id="002",
               ended_at=at("2026-12-01 10:01:35"), agent_category="complaint",
               disposition_note="用户投诉抄表不准", disposed_at=at("2026-12-01 10:01:40"), disposed_by="002",
               business_category="bill_query")  # fmt: skip
    await add_accounts(engine)
    await insert_calls(engine, [row], EVENTS)
    order = {"number": "GD20261201001", "kind": "complaint", "status": "open", "call_uniqueid": UID,
             "address": "平安县", "description": "抄表不准", "created_at": at("2026-12-01 10:01:50"),
             "created_by": "002", "closed_at": at("2026-12-02 09:00:00")}  # fmt: skip
    async with engine.begin() as conn:
        await conn.execute(insert(WorkOrderRow).values(**order))
    return build(engine, site(db_url, tmp_path, tmp_path), clock, offload)


def entries(html: str) -> list[tuple[str, str]]:
    found = re.findall(r'<li class="ev-[a-z_]+"><time>([^<]+)</time>(.*?)</li>', html, re.S)
    return [(t, " ".join(re.sub(r"<[^>]+>", " ", body).split())) for t, body in found]


async def test_the_timeline_is_in_time_order_with_chinese_labels(app):
    async with client_as(app, "supervisor") as c:
        r = await c.get(f"/calls/{UID}")
    assert r.status_code == 200
    assert entries(r.text) == EXPECTED
    assert f'href="http://t/calls/{UID}/message/1"' in r.text  # the recorded message, playable


async def test_an_unknown_call_is_404(app):
    async with client_as(app, "admin") as c:
        r = await c.get("/calls/nosuch")
        long = await c.get("/calls/" + "9" * 65)
    assert (r.status_code, long.status_code) == (404, 404) and "没有找到这个通话" in r.text
