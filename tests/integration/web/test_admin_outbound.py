"""The outbound pages through HTTP on a composed console (admin_harness.py): jobs filtered by
status and purpose, a job's attempts, cancelling a pending job, the do-not-call list (numbers
normalised, junk refused); admins only, CSRF checked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from admin_harness import Admin, admin_settings, audit_actions, build_admin, session
from web_harness import csrf_of

from hotline.dialer import store

HTML = {"accept": "text/html"}


@pytest.fixture
def admin(engine, db_url, tmp_path, clock, offload) -> Admin:
    return build_admin(engine, admin_settings(db_url, tmp_path), clock, offload)


def job(job_id: str, purpose: str, number: str, now, ref: str | None = None) -> store.NewJob:
    return store.NewJob(
        id=job_id,
        purpose=purpose,
        ref=ref or f"{purpose}-{job_id}",
        number=number,
        priority=0,
        not_before=now,
        deadline=now + timedelta(days=1),
        max_attempts=3,
        created_at=now,
    )


@pytest.fixture
async def jobs(admin: Admin, clock) -> None:
    """a1 (follow-up) pending, b2 (callback) done after two tries, c3 (notice) pending."""
    now = clock()
    await store.insert_jobs(
        admin.deps.engine,
        [job("a1", "followup", "13800000001", now), job("b2", "callback", "13800000002", now)],
    )
    await store.insert_jobs(
        admin.deps.engine, [job("c3", "outage_notice", "13800000003", now + timedelta(1))]
    )
    common = {"job_id": "b2", "number": "13800000002", "purpose": "callback", "content": "回电 来电 x"}
    await store.attempt_started(admin.deps.engine, attempt=1, at=now, **common)
    await store.attempt_ended(admin.deps.engine, job_id="b2", attempt=1, at=now, result="busy")
    await store.attempt_started(admin.deps.engine, attempt=2, at=now + timedelta(minutes=5), **common)
    await store.attempt_ended(admin.deps.engine, job_id="b2", attempt=2, at=now, result="answered", key="1")
    await store.job_finished(admin.deps.engine, "b2", status="done", reason="answered", key="1", at=now)


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", {"a1", "b2", "c3"}),
        ("?status=pending", {"a1", "c3"}),
        ("?purpose=callback", {"b2"}),
        ("?status=pending&purpose=outage_notice", {"c3"}),
        ("?status=nonsense", {"a1", "b2", "c3"}),  # an unknown filter is no filter
    ],
)
async def test_jobs_are_listed_by_status_and_purpose(admin: Admin, jobs, query, shown) -> None:
    async with session(admin, "admin") as c:
        r = await c.get(f"/admin/outbound{query}", headers=HTML)
    assert r.status_code == 200
    assert {j for j in ("a1", "b2", "c3") if f'id="job-{j}"' in r.text} == shown


async def test_a_job_shows_every_attempt(admin: Admin, jobs) -> None:
    async with session(admin, "admin") as c:
        r = await c.get("/admin/outbound/job?id=b2", headers=HTML)
        unknown = await c.get("/admin/outbound/job?id=zz", headers=HTML)
        hostile = await c.get("/admin/outbound/job?id=../../etc/passwd", headers=HTML)
    assert r.status_code == 200 and r.text.count("回电 来电 x") == 2
    assert "忙线" in r.text and "已接听" in r.text and "已完成" in r.text
    assert unknown.status_code == 404 and hostile.status_code == 404


async def test_a_pending_job_is_cancelled_and_a_finished_one_is_not(admin: Admin, jobs) -> None:
    async with session(admin, "admin") as c:
        token = await csrf_of(c, "/admin/outbound")
        r = await c.post("/admin/outbound/cancel", data={"csrf_token": token, "job_id": "a1"})
        done = await c.post("/admin/outbound/cancel", data={"csrf_token": token, "job_id": "b2"})
        empty = await c.post("/admin/outbound/cancel", data={"csrf_token": token})
    assert r.headers["location"] == "/admin/outbound?done=cancelled"
    assert done.status_code == 400 and empty.status_code == 400
    statuses = {
        row.id: row.status for row in await store.jobs_for_status(admin.deps.engine, finished_limit=9)
    }
    assert statuses == {"a1": "cancelled", "b2": "done", "c3": "pending"}
    assert await audit_actions(admin.deps.engine) == [("outbound_cancel", {"job_id": "a1"})]
    assert admin.pokes == ["poke"]


async def test_the_do_not_call_list_takes_numbers_in_national_form(admin: Admin) -> None:
    async with session(admin, "admin") as c:
        token = await csrf_of(c, "/admin/outbound/dnc")
        add = {"csrf_token": token, "number": "+86 138-0000-1111", "reason": "客户要求"}
        r = await c.post("/admin/outbound/dnc/add", data=add)
        twice = await c.post("/admin/outbound/dnc/add", data={**add, "number": "13800001111"})
        junk = await c.post("/admin/outbound/dnc/add", data={**add, "number": "138abc0000"})
        no_reason = await c.post("/admin/outbound/dnc/add", data={**add, "reason": ""})
        listed = await c.get("/admin/outbound/dnc?number=138 0000 1111", headers=HTML)
        assert await store.dnc_numbers(admin.deps.engine) == {"13800001111"}
        gone = await c.post(
            "/admin/outbound/dnc/remove", data={"csrf_token": token, "number": "013800001111"}
        )
        absent = await c.post(
            "/admin/outbound/dnc/remove", data={"csrf_token": token, "number": "13800001111"}
        )
    assert r.headers["location"] == "/admin/outbound/dnc?done=dnc_added"
    assert twice.headers["location"] == "/admin/outbound/dnc?done=dnc_known"
    assert junk.status_code == 400 and "不是有效的电话号码" in junk.text
    assert no_reason.status_code == 400
    assert listed.status_code == 200 and "<td>13800001111</td>" in listed.text and "客户要求" in listed.text
    assert gone.headers["location"] == "/admin/outbound/dnc?done=dnc_removed" and absent.status_code == 400
    assert await store.dnc_numbers(admin.deps.engine) == set()
    assert await audit_actions(admin.deps.engine) == [
        ("dnc_add", {"number": "13800001111", "reason": "客户要求"}),
        ("dnc_remove", {"number": "13800001111"}),
    ]


@pytest.mark.parametrize("role", [None, "agent", "supervisor"])
async def test_only_admins_see_or_change_outbound_calls(admin: Admin, jobs, role) -> None:
    expected = 401 if role is None else 403
    async with session(admin, role) as c:
        for path in ("/admin/outbound", "/admin/outbound/job?id=a1", "/admin/outbound/dnc"):
            assert (await c.get(path)).status_code == expected
        token = await csrf_of(c, "/login" if role is None else "/admin/prompts")
        form = {"csrf_token": token, "job_id": "a1", "number": "13800001111", "reason": "x"}
        for path in ("/admin/outbound/cancel", "/admin/outbound/dnc/add"):
            assert (await c.post(path, data=form)).status_code == expected
    assert await store.dnc_numbers(admin.deps.engine) == set()
    assert [r.status for r in await store.open_jobs(admin.deps.engine, ["a1"])] == ["pending"]


async def test_a_change_without_the_session_token_is_refused(admin: Admin, jobs) -> None:
    async with session(admin, "admin") as c:
        r = await c.post("/admin/outbound/dnc/add", data={"number": "13800001111", "reason": "x"})
        h = await c.post("/admin/outbound/cancel", data={"job_id": "a1"}, headers={"X-CSRF-Token": "bad"})
    assert r.status_code == 403 and h.status_code == 403
    assert (
        await store.dnc_numbers(admin.deps.engine) == set() and await audit_actions(admin.deps.engine) == []
    )
