"""The call search through HTTP on the composed app (calls_app.py): every filter against calls
whose expected matches were picked by hand (local-date edges, every written form of a number,
the disposition's category before the menu's), paging, bad parameters, roles."""

from __future__ import annotations

import re

import pytest
from calls_app import SHANGHAI, add_accounts, at, build, call, client_as, insert_calls, site
from sqlalchemy import select

from hotline.store.models import Call
from hotline.web.calls.search import CallSearch, conditions, search_forms

NOW = at("2026-12-02 10:00:00")  # default range: 2026-11-26 .. 2026-12-02 (local)
BILL, N = "bill_query", "13800001111"
CALLS = [
    # 07:00 local is 11-29 23:00 UTC: a UTC date would put it on the wrong day
    call("c1", "2026-11-30 07:00:00", caller_number=N, agent_id="001", business_category=BILL,
         recording_path="/var/spool/asterisk/monitor/call-c1.wav"),
    call("c2", "2026-11-30 23:59:59", caller_number="0" + N, agent_id="002",
         business_category="fault_repair", agent_category="complaint"),
    call("c3", "2026-12-01 00:00:00", "ivr_only", caller_number="+86" + N, business_category=BILL),
    call("c4", "2026-12-01 08:00:00", "answered", direction="outbound", caller_number="1001", dnid=N,
         agent_id="001"),
    call("c5", "2026-12-02 09:00:00", "abandoned_queue", caller_number="0551-1234567",
         business_category="complaint"),
    call("c6", "2026-12-02 09:30:00", None, caller_number="13900002222"),
    call("c7", "2026-11-20 10:00:00", caller_number=N, agent_id="001"),  # before the default range
    call("c8", "2026-11-30 16:00:00", caller_number="86" + N, agent_id="001", business_category=BILL),
    call("c9", "2026-12-02 08:00:00", caller_number="13700000000", agent_id="002",
         business_category="complaint", agent_category="consultation"),
]  # fmt: skip


@pytest.fixture
async def app(engine, db_url, tmp_path, clock, offload):
    clock.now = NOW
    await add_accounts(engine)
    await insert_calls(engine, CALLS)
    return build(engine, site(db_url, tmp_path, tmp_path), clock, offload)


async def found(app, query: str, role: str = "supervisor") -> list[str]:
    async with client_as(app, role) as c:
        r = await c.get(f"/calls?{query}")
    assert r.status_code == 200, r.text
    return re.findall(r'<tr data-uniqueid="([^"]+)"', r.text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["c6", "c5", "c9", "c4", "c3", "c2", "c8", "c1"]),  # the last 7 local days, newest first
        ("number=138+0000+1111", ["c4", "c3", "c2", "c8", "c1"]),  # caller in 4 forms, outbound dnid
        ("number=%2B86-138-0000-1111", ["c4", "c3", "c2", "c8", "c1"]),
        ("number=0551+1234567", []),  # stored with its '-': not a form the store writes
        ("number=13800001111&from=2026-11-01", ["c4", "c3", "c2", "c8", "c1", "c7"]),
        ("from=2026-11-30&to=2026-11-30", ["c2", "c8", "c1"]),  # local day: 00:00 to 23:59:59
        ("from=2026-12-01&to=2026-12-01", ["c4", "c3"]),
        ("agent=001", ["c4", "c8", "c1"]),
        ("outcome=agent_answered", ["c9", "c2", "c8", "c1"]),
        ("outcome=in_progress", ["c6"]),
        ("outcome=answered", ["c4"]),
        ("category=complaint", ["c5", "c2"]),  # c2 by its disposition; c9's disposition says otherwise
        ("category=bill_query", ["c3", "c8", "c1"]),
        ("number=13800001111&agent=001&outcome=agent_answered&category=bill_query", ["c8", "c1"]),
        ("agent=003", []),
    ],
)
async def test_each_filter_finds_exactly_the_calls_picked_by_hand(app, query, expected):
    assert await found(app, query) == expected


async def test_pages_of_fifty_newest_first(app, engine):
    rows = [call(f"p{i:02d}", f"2026-11-28 10:{i:02d}:00", agent_id="003") for i in range(55)]
    await insert_calls(engine, rows)
    first = await found(app, "agent=003")
    second = await found(app, "agent=003&page=2")
    assert first == [f"p{i:02d}" for i in range(54, 4, -1)]
    assert second == ["p04", "p03", "p02", "p01", "p00"]
    async with client_as(app, "admin") as c:
        page1 = (await c.get("/calls?agent=003")).text
        page2 = (await c.get("/calls?agent=003&page=2")).text
    assert "共 55 个通话，第 1 / 2 页" in page1 and 'id="next"' in page1 and 'id="prev"' not in page1
    assert "page=1" in re.search(r'id="prev" href="([^"]+)"', page2)[1]
    assert 'id="next"' not in page2


async def test_a_row_shows_local_time_labels_and_links_to_the_call(app):
    async with client_as(app, "supervisor") as c:
        r = await c.get("/calls?number=13800001111&from=2026-11-30&to=2026-11-30")
    row = re.search(r'<tr data-uniqueid="c1">(.*?)</tr>', r.text, re.S)[1]
    cells = [re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == [
        "2026-11-30 07:00:00",
        "呼入",
        "13800001111",
        "001 张三",
        "人工接听",
        "电量电费查询",
        "",
        "有",
    ]
    assert 'href="http://t/calls/c1"' in row


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("number=138abc", "号码 “138abc” 无效"),
        ("from=2026-13-01", "开始日期 “2026-13-01” 无效"),
        ("from=2026-12-02&to=2026-12-01", "开始日期晚于结束日期"),
        ("from=2025-01-01&to=2026-12-01", "日期范围最多 366 天"),
        ("agent=<b>", "工号 “&lt;b&gt;” 无效"),
        ("outcome=won", "结果 “won” 无效"),
        ("category=x", "业务类别 “x” 无效"),
        ("to=9999-12-31", "结束日期 “9999-12-31” 超出范围（1970–2999 年）"),
        ("to=0001-01-01", "结束日期 “0001-01-01” 超出范围"),
        ("page=0", "页码 “0” 无效"),
        ("page=abc", "页码 “abc” 无效"),
    ],
)
async def test_a_bad_parameter_is_refused_with_its_reason(app, query, message):
    async with client_as(app, "supervisor") as c:
        r = await c.get(f"/calls?{query}")
    assert r.status_code == 400 and message in r.text
    assert "data-uniqueid" not in r.text


@pytest.mark.parametrize(
    ("role", "status"), [(None, 401), ("agent", 403), ("supervisor", 200), ("admin", 200)]
)
async def test_only_supervisors_and_admins_search(app, role, status):
    async with client_as(app, role) as c:
        r = await c.get("/calls", headers={"accept": "application/json"})
        page = await c.get("/calls/c1", headers={"accept": "application/json"})
    assert (r.status_code, page.status_code) == (status, status)
    if status != 200:
        assert "13800001111" not in r.text + page.text


async def test_the_number_search_reads_the_indexes(engine):
    """On SQLite: the number search reads the caller_number and dnid indexes, not the whole table."""
    if engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    search = CallSearch("13800001111", search_forms("13800001111"), NOW.date(), NOW.date())
    stmt = select(Call.id).where(*conditions(search, SHANGHAI))
    compiled = stmt.compile(engine.sync_engine, compile_kwargs={"render_postcompile": True})
    async with engine.connect() as conn:
        plan = await conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}", (None,) * len(compiled.positiontup)
        )
        text = " ".join(str(row[-1]) for row in plan)
    assert "ix_calls_caller_number" in text and "ix_calls_dnid" in text, text
