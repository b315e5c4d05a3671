"""Outage notices and the accounts import through HTTP on a composed console (admin_harness.py):
add, edit (in place, or replaced with its calls withdrawn), cancel; what the IVR and the dialer
then see; an import with bad lines shows them and writes nothing; admins only, CSRF checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from admin_harness import Admin, admin_settings, audit_actions, build_admin, session
from sqlalchemy import func, select
from web_harness import csrf_of

from hotline.dialer import store
from hotline.dialer.models import OutboundJobRow
from hotline.selfservice.models import AccountRow
from hotline.selfservice.queries import list_notices, outages_for_area

# the clock of web_harness: 2026-11-26 01:00 UTC = 09:00 in the center
IN_TEN_DAYS = {"starts_at": "2026-12-06T08:00", "ends_at": "2026-12-06T18:00"}
NOTICE = {"kind": "planned", "area_code": "320100", "area_name": "城关", "towns": "城关镇、东关镇"}
NOTICE |= {**IN_TEN_DAYS, "reason": "线路检修"}
HEADER = (
    "account_number,area_code,masked_name,phone,balance,last_bill_amount,last_bill_month,last_usage_kwh\n"
)


@pytest.fixture
def admin(engine, db_url, tmp_path, clock, offload) -> Admin:
    return build_admin(engine, admin_settings(db_url, tmp_path), clock, offload)


async def post(c, path: str, form: dict[str, str]):
    return await c.post(path, data={"csrf_token": await csrf_of(c, "/admin/outages"), **form})


def notice_job(notice_id: int, number: str, now: datetime) -> store.NewJob:
    return store.NewJob(
        id=f"job{notice_id}x{number[-4:]}",
        purpose="outage_notice",
        ref=f"notice-{notice_id}:{number}",
        number=number,
        priority=0,
        not_before=now,
        deadline=now + timedelta(days=3),
        max_attempts=2,
        created_at=now,
    )


async def job_statuses(admin: Admin) -> dict[str, str]:
    async with admin.deps.engine.connect() as conn:
        return dict((await conn.execute(select(OutboundJobRow.ref, OutboundJobRow.status))).all())


async def test_a_notice_is_added_and_the_ivr_and_dialer_see_it(admin: Admin, clock) -> None:
    async with session(admin, "admin") as c:
        r = await post(c, "/admin/outages/add", NOTICE)
        listing = await c.get(r.headers["location"], headers={"accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/outages?done=added"
    (notice,) = await list_notices(admin.deps.engine)
    assert (notice.area_code, notice.towns, notice.starts_at) == (
        "320100",
        ("城关镇", "东关镇"),
        datetime(2026, 12, 6, 0, 0, tzinfo=UTC),
    )
    assert [n.id for n in await store.planned_notices_after(admin.deps.engine, 0, clock())] == [notice.id]
    assert admin.pokes == ["poke"] and [a for a, _ in await audit_actions(admin.deps.engine)] == [
        "notice_add"
    ]
    assert "停电通知已发布" in listing.text and f'id="notice-{notice.id}"' in listing.text


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"ends_at": "2026-12-06T07:00"}, "结束时间应晚于开始时间"),
        ({"area_code": "32a100"}, "地区编码应为"),
        ({"towns": " 、 "}, "影响的乡镇"),
        ({"starts_at": "明天早上"}, "开始时间格式不对"),
        ({"kind": "maybe"}, "停电类型"),
    ],
)
async def test_a_bad_notice_is_refused_and_nothing_is_published(admin: Admin, change, says) -> None:
    async with session(admin, "admin") as c:
        r = await post(c, "/admin/outages/add", {**NOTICE, **change})
    assert r.status_code == 400 and says in r.text
    assert await list_notices(admin.deps.engine, include_cancelled=True) == []
    assert admin.pokes == [] and await audit_actions(admin.deps.engine) == []


async def test_editing_the_text_keeps_the_notice_and_its_calls(admin: Admin, clock) -> None:
    async with session(admin, "admin") as c:
        await post(c, "/admin/outages/add", NOTICE)
        (notice,) = await list_notices(admin.deps.engine)
        await store.insert_jobs(admin.deps.engine, [notice_job(notice.id, "13800001111", clock())])
        r = await post(c, "/admin/outages/edit", {**NOTICE, "id": str(notice.id), "reason": "变压器更换"})
    assert r.headers["location"] == "/admin/outages?done=edited"
    (edited,) = await list_notices(admin.deps.engine)
    assert (edited.id, edited.reason) == (notice.id, "变压器更换")
    assert await job_statuses(admin) == {f"notice-{notice.id}:13800001111": "pending"}


async def test_editing_the_times_replaces_the_notice_and_withdraws_its_calls(admin: Admin, clock) -> None:
    async with session(admin, "admin") as c:
        await post(c, "/admin/outages/add", NOTICE)
        (old,) = await list_notices(admin.deps.engine)
        await store.insert_jobs(admin.deps.engine, [notice_job(old.id, "13800001111", clock())])
        moved = {**NOTICE, "id": str(old.id), "starts_at": "2026-12-07T08:00", "ends_at": "2026-12-07T12:00"}
        r = await post(c, "/admin/outages/edit", moved)
    assert r.headers["location"] == "/admin/outages?done=replaced"
    (new,) = await list_notices(admin.deps.engine)
    assert new.id > old.id and new.starts_at == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    (was,) = [n for n in await list_notices(admin.deps.engine, include_cancelled=True) if n.id == old.id]
    assert was.cancelled_at == clock()
    assert await job_statuses(admin) == {f"notice-{old.id}:13800001111": "cancelled"}
    assert [n.id for n in await store.planned_notices_after(admin.deps.engine, 0, clock())] == [new.id]
    (action, detail) = (await audit_actions(admin.deps.engine))[-1]
    assert action == "notice_edit" and detail["replaced"] is True and detail["calls_cancelled"] == 1
    assert admin.pokes == ["poke", "poke"]


async def test_a_cancelled_notice_is_no_longer_announced_nor_called(admin: Admin, clock) -> None:
    async with session(admin, "admin") as c:
        await post(c, "/admin/outages/add", {**NOTICE, "kind": "fault", "starts_at": "2026-11-26T08:00"})
        (notice,) = await list_notices(admin.deps.engine)
        assert len(await outages_for_area(admin.deps.engine, "320100", clock())) == 1
        await store.insert_jobs(admin.deps.engine, [notice_job(notice.id, "13800002222", clock())])
        r = await post(c, "/admin/outages/cancel", {"id": str(notice.id)})
        again = await post(c, "/admin/outages/cancel", {"id": str(notice.id)})
        everything = await c.get("/admin/outages?all=1", headers={"accept": "text/html"})
    assert r.headers["location"] == "/admin/outages?done=cancelled" and again.status_code == 400
    assert await outages_for_area(admin.deps.engine, "320100", clock()) == []
    assert await job_statuses(admin) == {f"notice-{notice.id}:13800002222": "cancelled"}
    assert "已取消" in everything.text
    assert [a for a, _ in await audit_actions(admin.deps.engine)] == ["notice_add", "notice_cancel"]


async def test_an_import_with_bad_lines_shows_them_and_imports_nothing(admin: Admin) -> None:
    good = "3201000001,320100,张*,13900000501,123.45,88.20,2026-10,215.0\n"
    bad = good + "3201000002,320100,李*,138abc,1,1,2026-13,1\n" + "3201000003,320100,王*,,1,1,2026-10\n"
    async with session(admin, "admin") as c:
        token = await csrf_of(c, "/admin/accounts")
        files = {"file": ("billing.csv", (HEADER + bad).encode(), "text/csv")}
        r = await c.post("/admin/accounts/import", data={"csrf_token": token}, files=files)
        files = {"file": ("gbk.csv", (HEADER + good).encode("gbk") + "张".encode("gbk"), "text/csv")}
        not_utf8 = await c.post("/admin/accounts/import", data={"csrf_token": token}, files=files)
    assert r.status_code == 400 and "2 行有错误，未导入任何账户" in r.text
    assert (
        "billing.csv:3: phone:" in r.text
        and "last_bill_month" in r.text
        and "billing.csv:4: 7 fields" in r.text
    )
    assert not_utf8.status_code == 400 and "UTF-8" in not_utf8.text
    async with admin.deps.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(AccountRow)) == 0
    assert await audit_actions(admin.deps.engine) == []


async def test_a_clean_import_writes_every_account(admin: Admin) -> None:
    rows = "".join(f"32010000{i:02d},320100,张*,1390000{i:04d},1.00,2.00,2026-10,3.0\n" for i in range(20))
    async with session(admin, "admin") as c:
        token = await csrf_of(c, "/admin/accounts")
        files = {"file": ("billing.csv", ("\ufeff" + HEADER + rows).encode(), "text/csv")}
        r = await c.post("/admin/accounts/import", data={"csrf_token": token}, files=files)
        shown = await c.get(r.headers["location"], headers={"accept": "text/html"})
    assert r.headers["location"] == "/admin/accounts?done=imported&n=20"
    assert 'id="account-count">20<' in shown.text and "共 20 个账户" in shown.text
    assert (await audit_actions(admin.deps.engine)) == [
        (
            "accounts_import",
            {"accounts": 20, "bytes": len(("\ufeff" + HEADER + rows).encode()), "file": "billing.csv"},
        )
    ]


@pytest.mark.parametrize("role", [None, "agent", "supervisor"])
async def test_only_admins_see_or_change_self_service_data(admin: Admin, role) -> None:
    async with session(admin, role) as c:
        pages = [(await c.get(p)).status_code for p in ("/admin/outages", "/admin/accounts")]
        token = await csrf_of(c, "/login" if role is None else "/admin/prompts")
        added = await c.post("/admin/outages/add", data={"csrf_token": token, **NOTICE})
    expected = 401 if role is None else 403
    assert pages == [expected, expected] and added.status_code == expected
    assert await list_notices(admin.deps.engine, include_cancelled=True) == []


async def test_a_change_without_the_session_token_is_refused(admin: Admin) -> None:
    async with session(admin, "admin") as c:
        r = await c.post("/admin/outages/add", data={"csrf_token": "guessed", **NOTICE})
    assert r.status_code == 403 and await list_notices(admin.deps.engine, include_cancelled=True) == []
