"""Quality checks over HTTP: the weekly draw (N per agent, only answered calls with a recording
still kept, inside the local ISO week, stable when drawn again), scoring on the checklist (a
score over an item's maximum or a missing item is refused and changes nothing), CSRF, roles,
audit; and the report's per-agent table from the same rows."""

from __future__ import annotations

import re
from datetime import date

import pytest
from calls_app import ASTERISK_DIR, add_accounts, at, audit_rows, build, call, client_as, insert_calls, site
from sqlalchemy import delete, select

from hotline.quality.draw import sample, week_bounds
from hotline.quality.models import QualityReviewRow
from hotline.quality.report_table import quality_by_agent, quality_cells, quality_json
from hotline.reports.period import zone

WEEK = "2026-W48"  # Monday 2026-11-23 .. Sunday 2026-11-29, local
NOW = at("2026-12-02 10:00:00")
HTML = {"accept": "text/html"}
ELIGIBLE_001 = ["q1", "q2", "q3", "q4", "q5"]
SCORES = {"score_greeting": "15", "score_agent_id": "10", "score_solution": "30", "score_courtesy": "20",
          "score_closing": "5", "comment": "解答准确，结束语不完整"}  # fmt: skip


def rec(uid: str) -> str:
    return f"{ASTERISK_DIR}/call-{uid}.wav"


CALLS = [
    call("q1", "2026-11-23 00:00:00", agent_id="001", recording_path=rec("q1")),  # the week's first instant
    call("q2", "2026-11-24 09:00:00", agent_id="001", recording_path=rec("q2")),
    call("q3", "2026-11-25 15:00:00", agent_id="001", recording_path=rec("q3")),
    call("q4", "2026-11-27 11:00:00", agent_id="001", recording_path=rec("q4")),
    call("q5", "2026-11-29 23:59:59", agent_id="001", recording_path=rec("q5")),  # its last second
    call("n1", "2026-11-24 10:00:00", agent_id="001"),  # no recording
    call("n2", "2026-11-24 11:00:00", "abandoned_ringing", agent_id="001", recording_path=rec("n2")),
    call("n3", "2026-11-24 12:00:00", agent_id="001", recording_path=rec("n3"),
         recording_deleted_at=at("2026-11-30 03:30:00"), recording_deleted_reason="retention"),
    call("n4", "2026-11-30 00:00:00", agent_id="001", recording_path=rec("n4")),  # next week
    call("n5", "2026-11-22 23:59:59", agent_id="001", recording_path=rec("n5")),  # last week
    call("r1", "2026-11-26 10:00:00", agent_id="002", recording_path=rec("r1")),
    call("o1", "2026-11-26 11:00:00", "answered", direction="outbound", agent_id="003",
         recording_path=rec("o1")),
]  # fmt: skip


@pytest.fixture
async def app(engine, db_url, tmp_path, clock, offload):
    clock.now = NOW
    await add_accounts(engine)
    await insert_calls(engine, CALLS)
    settings = site(db_url, tmp_path, tmp_path, quality={"calls_per_agent": 2})
    return build(engine, settings, clock, offload)


async def drawn(engine) -> dict[str, list[str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(QualityReviewRow.agent_id, QualityReviewRow.call_uniqueid).where(
            QualityReviewRow.week == WEEK).order_by(QualityReviewRow.call_uniqueid))  # fmt: skip
    found: dict[str, list[str]] = {}
    for agent, uid in rows:
        found.setdefault(agent, []).append(uid)
    return found


async def reviews(engine) -> list[tuple]:
    async with engine.connect() as conn:
        q = QualityReviewRow
        stmt = select(
            q.id, q.call_uniqueid, q.reviewer, q.reviewed_at, q.scores, q.total, q.max_total, q.comment
        )
        return [tuple(r) for r in await conn.execute(stmt.order_by(q.id))]


async def draw(app, role: str = "supervisor", week: str = WEEK, token: bool = True):
    async with client_as(app, role) as c:
        data = {"week": week}
        if token:
            data["csrf_token"] = re.search(
                r'name="csrf_token" value="([^"]+)"', (await c.get("/quality", headers=HTML)).text
            )[1]
        return await c.post("/quality/draw", data=data)


async def test_the_week_is_iso_and_local():
    assert date(2026, 11, 23).isocalendar()[:2] == (2026, 48)
    start, end = week_bounds(WEEK, zone("Asia/Shanghai"))
    assert (start, end) == (at("2026-11-23 00:00:00"), at("2026-11-30 00:00:00"))


async def test_n_calls_per_agent_from_the_eligible_ones_only(app, engine):
    r = await draw(app)
    assert (r.status_code, r.headers["location"]) == (303, f"/quality?week={WEEK}")
    got = await drawn(engine)
    assert got == {"001": sample(WEEK, "001", ELIGIBLE_001, 2), "002": ["r1"], "003": ["o1"]}
    assert len(got["001"]) == 2 and set(got["001"]) <= set(ELIGIBLE_001)
    assert [a["detail"] for a in await audit_rows(engine, "quality_draw")] == [
        f'{{"calls": 4, "week": "{WEEK}"}}'
    ]


async def test_a_week_is_drawn_once_and_a_redraw_is_the_same(app, engine):
    await draw(app)
    first = await drawn(engine)
    assert (await draw(app)).status_code == 303  # drawn already: nothing changes, nothing audited
    assert await drawn(engine) == first and len(await audit_rows(engine, "quality_draw")) == 1
    async with engine.begin() as conn:
        await conn.execute(delete(QualityReviewRow))
    await draw(app, "admin")
    assert await drawn(engine) == first


@pytest.mark.parametrize(
    ("role", "week", "token", "status", "text"),
    [
        ("supervisor", "2026-W49", True, 400, "2026-W49 尚未结束"),
        ("supervisor", "2026-W54", True, 400, "周 “2026-W54” 不存在"),
        ("supervisor", "48", True, 400, "应为 ISO 周"),
        ("supervisor", "9999-W52", True, 400, "超出范围"),
        ("supervisor", WEEK, False, 403, "CSRF"),
        ("agent", WEEK, True, 403, "无权访问"),
    ],
)
async def test_a_refused_draw_stores_nothing(app, engine, role, week, token, status, text):
    if role == "agent":  # the token of the agent's own session: the role check refuses it
        async with client_as(app, role) as c:
            tok = re.search(r'name="csrf_token" value="([^"]+)"', (await c.get("/calls", headers=HTML)).text)[
                1
            ]
            r = await c.post("/quality/draw", data={"week": week, "csrf_token": tok})
    else:
        r = await draw(app, role, week, token)
    assert r.status_code == status and text in r.text
    assert await drawn(engine) == {} and await audit_rows(engine, "quality_draw") == []


async def score(app, review_id: int, form: dict[str, str], role: str = "supervisor"):
    async with client_as(app, role) as c:
        page = await c.get("/calls", headers=HTML)  # an agent's 403 page has the session's token too
        tok = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        return await c.post(f"/quality/reviews/{review_id}", data={**form, "csrf_token": tok})


async def test_a_supervisor_scores_a_drawn_call(app, engine, clock):
    await draw(app)
    review_id = (await reviews(engine))[0][0]
    async with client_as(app, "supervisor") as c:
        page = await c.get(f"/quality/reviews/{review_id}")
    assert page.status_code == 200 and 'id="recording"' in page.text and "问候语规范（0–15）" in page.text
    r = await score(app, review_id, SCORES)
    assert (r.status_code, r.headers["location"]) == (303, f"/quality?week={WEEK}")
    (_, uid, reviewer, reviewed_at, scores, total, max_total, comment) = (await reviews(engine))[0]
    assert (reviewer, reviewed_at, total, max_total, comment) == (
        "supervisor",
        NOW,
        80,
        100,
        SCORES["comment"],
    )
    assert scores[0] == {"id": "greeting", "label": "问候语规范", "max": 15, "points": 15}
    assert [s["points"] for s in scores] == [15, 10, 30, 20, 5]
    (audit,) = await audit_rows(engine, "quality_score")
    assert f'"call": "{uid}"' in audit["detail"] and '"total": 80' in audit["detail"]
    async with client_as(app, "admin") as c:
        listing = await c.get(f"/quality?week={WEEK}")
    assert "已评分" in listing.text and "80 / 100" in listing.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"score_greeting": "16"}, "“问候语规范”的得分 16 超过满分 15"),
        ({"score_solution": "41"}, "超过满分 40"),
        ({"score_closing": ""}, "“结束语”未评分"),
        ({"score_courtesy": "-1"}, "“服务态度”的得分 “-1” 无效"),
        ({"score_courtesy": "2.5"}, "无效"),
        ({"comment": "长" * 501}, "评语最多 500 个字"),
    ],
)
async def test_a_bad_score_is_refused_and_changes_nothing(app, engine, change, message):
    await draw(app)
    review_id = (await reviews(engine))[0][0]
    assert (await score(app, review_id, SCORES)).status_code == 303
    before = await reviews(engine)
    r = await score(app, review_id, {**SCORES, **change}, role="admin")
    assert r.status_code == 400 and message in r.text and "未保存" in r.text
    assert await reviews(engine) == before and len(await audit_rows(engine, "quality_score")) == 1


async def test_scores_for_no_such_review_or_by_an_agent_change_nothing(app, engine):
    await draw(app)
    before = await reviews(engine)
    assert (await score(app, 9999, SCORES)).status_code == 404
    assert (await score(app, before[0][0], SCORES, role="agent")).status_code == 403
    assert (await score(app, 9999, {})).status_code == 400  # the form is checked first
    assert await reviews(engine) == before and await audit_rows(engine, "quality_score") == []


async def test_the_reports_table_per_agent(app, engine):
    await draw(app)
    rows = await reviews(engine)
    by_call = {uid: rid for rid, uid, *_ in rows}
    first, second = sorted(uid for uid in by_call if uid.startswith("q"))
    await score(app, by_call[first], SCORES)  # 80
    await score(app, by_call[second], {**SCORES, "score_solution": "40"})  # 90
    start, end = week_bounds(WEEK, zone("Asia/Shanghai"))
    table = await quality_by_agent(engine, start, end)
    assert quality_json(table) == [
        {"agent_id": "001", "drawn": 2, "scored": 2, "average_points": 85.0, "average_share": 0.85},
        {"agent_id": "002", "drawn": 1, "scored": 0, "average_points": None, "average_share": None},
        {"agent_id": "003", "drawn": 1, "scored": 0, "average_points": None, "average_share": None},
    ]
    _, _, cells = quality_cells(table, {"001": "张三", "002": "李四"})
    assert cells[:2] == [["001", "张三", "2", "2", "85.0", "85.0%"], ["002", "李四", "1", "0", "—", "—"]]
    assert await quality_by_agent(engine, end, at("2026-12-07 00:00:00")) == []  # the next week: none


@pytest.mark.parametrize(("query", "status"), [("", 200), ("?week=2026-W53", 200), ("?week=9999-W52", 400)])
async def test_the_week_page(app, query, status):
    async with client_as(app, "supervisor") as c:
        r = await c.get(f"/quality{query}")
    assert r.status_code == status
    if query == "":  # last week by default, not drawn yet: the button to draw it
        assert f"录音质检 {WEEK}（2026-11-23 至 2026-11-29）" in r.text and 'id="draw"' in r.text
    if query == "?week=2026-W53":  # not over: nothing to draw yet
        assert "2026-W53 尚未结束" in r.text and 'id="draw"' not in r.text
