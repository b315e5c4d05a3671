"""The report's agent-desk tables on hand-made days, on SQLite and PostgreSQL: agent categories
from dispositions with the menu's as fallback, shares over the calls handled, surveys by scale,
repairs by fault type, harassment warnings. Every expected figure was counted by hand."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

from report_day import SHANGHAI, at, call
from rich.console import Console
from sqlalchemy import insert

from hotline.orders.models import WorkOrderRow
from hotline.reports.export import to_csv, to_json
from hotline.reports.html import render_html
from hotline.reports.period import day_period
from hotline.reports.report import build_report
from hotline.reports.tables import all_tables
from hotline.reports.text import print_report
from hotline.settings import Categories
from hotline.store.models import Call, CallEvent

DAY = day_period(date(2026, 11, 23), SHANGHAI)
S = timedelta(seconds=1)


def desk(row: dict, disposed: str | None = None, source: str | None = None) -> dict:
    """A report_day row with the desk's columns (every row of one insert has the same keys)."""
    return {**row, "agent_category": disposed, "survey_source": source}


def answered(uid: str, hhmm: str, menu: str | None, disposed: str | None, survey=None, source=None):
    row = call(uid, f"2026-11-23 {hhmm}:00", "agent_answered", queued=10, wait=5 * S, talk=60,
               agent="001", category=menu, survey=survey)  # fmt: skip
    return desk(row, disposed, source)


def ivr(uid: str, hhmm: str, category: str, survey: int) -> dict:
    return desk(
        call(uid, f"2026-11-23 {hhmm}:00", "ivr_only", category=category, survey=survey), source="ivr"
    )


CATEGORY_DAY = [
    answered("a1", "09:00", "consultation", "fault_repair", survey=1, source="agent"),  # the agent's wins
    answered("a2", "09:10", "new_connection", None, survey=5, source="agent"),  # falls back to the menu's
    answered("a3", "09:20", None, None),  # neither: unknown
    answered("a4", "09:30", "other", "retired_cat", survey=4, source="agent"),  # no longer configured
    answered("a5", "09:40", "bill_query", None, survey=2),  # an IVR function as fallback; no source
    ivr("i1", "10:00", "outage_query", 2),
    ivr("i2", "10:10", "fax", 1),
    ivr("i3", "10:20", "survey", 4),  # a mark off the menu survey's scale (a menu offering 4 keys)
    desk(call("b1", "2026-11-23 11:00:00", "blocked")),
    desk(
        call("u1", "2026-11-23 11:10:00", "abandoned_queue", queued=10, wait=30 * S, category="consultation")
    ),
]


async def insert_rows(engine, table, rows) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(table), rows)


async def test_agent_categories_come_from_dispositions_then_the_menu(engine):
    await insert_rows(engine, Call, CATEGORY_DAY)
    report = await build_report(engine, DAY, company="平安县")
    s = report.stats
    assert (s.center.inbound, s.center.handled, s.center.ivr_only, s.center.answered) == (10, 9, 3, 5)
    assert s.agent_category_sources == {"disposition": 2, "menu": 2, "none": 1}
    rows = [(x.key, x.calls, x.share, x.share_of_handled, x.from_menu) for x in s.agent_categories]
    assert rows == [
        ("consultation", 0, 0.0, 0.0, 0),
        ("information_query", 0, 0.0, 0.0, 0),
        ("fault_repair", 1, 0.2, 1 / 9, 0),
        ("new_connection", 1, 0.2, 1 / 9, 1),
        ("complaint", 0, 0.0, 0.0, 0),
        ("theft_report", 0, 0.0, 0.0, 0),
        ("other", 0, 0.0, 0.0, 0),
        ("bill_query", 1, 0.2, 1 / 9, 1),  # not an agent category: after the configured ones
        ("retired_cat", 1, 0.2, 1 / 9, 0),
        ("unknown", 1, 0.2, 1 / 9, 0),
    ]
    ivr = [(x.key, x.calls, x.share, x.share_of_handled) for x in s.ivr_functions if x.calls]
    assert ivr == [("outage_query", 1, 1 / 3, 1 / 9), ("survey", 1, 1 / 3, 1 / 9), ("fax", 1, 1 / 3, 1 / 9)]
    # the IVR rows, the agent rows and the unanswered call make up every call handled
    assert sum(x.calls for x in s.ivr_functions + s.agent_categories) + s.center.unanswered == 9

    ivr_table, agent_table = (t for t in all_tables(report) if "业务分类" in t.title)
    assert agent_table.rows[2] == ["故障报修", "1", "20.0%", "11.1%", "0"]
    assert [r[0] for r in agent_table.rows[7:]] == ["电量电费查询", "retired_cat", "未分类", "合计(人工接听)"]
    assert agent_table.rows[-1] == ["合计(人工接听)", "5", "100.0%", "55.6%", ""]
    assert "按菜单分类(共2次)" in agent_table.note and "未分类(1次)" in agent_table.note
    assert ivr_table.rows[-1] == ["合计(自动应答)", "3", "100.0%", "33.3%"]
    assert "线路全忙未接入1次另计" in ivr_table.note


async def test_the_sites_labels_and_order_and_the_exports(engine):
    await insert_rows(engine, Call, CATEGORY_DAY)
    site = Categories(agent_categories={"new_connection": "装表接电", "fault_repair": "抢修"})
    report = await build_report(engine, DAY, company="平安县", categories=site)
    assert [x.key for x in report.stats.agent_categories] == [
        "new_connection", "fault_repair", "bill_query", "retired_cat", "unknown"
    ]  # fmt: skip
    page = render_html(report)
    assert "<td>装表接电</td>" in page and "<td>抢修</td>" in page and "<td>故障报修</td>" not in page
    doc = json.loads(to_json(report))
    assert doc["agent_category_sources"] == {"disposition": 2, "menu": 2, "none": 1}
    assert doc["agent_categories"][0] == {
        "category": "new_connection", "calls": 1, "share": 0.2, "share_of_handled": 1 / 9, "from_menu": 1
    }  # fmt: skip
    assert set(doc["ivr_functions"][0]) == {"category", "calls", "share", "share_of_handled"}
    lines = to_csv(report).splitlines()
    assert "agent_category,new_connection,from_menu,1" in lines
    assert "agent_category_source,menu,calls,2" in lines and "agent_category_source,none,calls,1" in lines


async def test_surveys_are_reported_apart_by_scale(engine):
    await insert_rows(engine, Call, CATEGORY_DAY)
    report = await build_report(engine, DAY, company="平安县")
    tables = {t.source: t for t in report.desk.surveys}
    assert list(tables) == ["ivr", "agent", "unknown"]
    assert (tables["ivr"].scale, tables["ivr"].by_score) == ((1, 3), {1: 1, 2: 1, 3: 0, 4: 1})  # 4: off scale
    assert (tables["ivr"].n, tables["ivr"].avg) == (3, 7 / 3)
    assert (tables["agent"].scale, tables["agent"].by_score) == ((1, 5), {1: 1, 2: 0, 3: 0, 4: 1, 5: 1})
    assert (tables["agent"].n, tables["agent"].avg) == (3, 10 / 3)
    assert (tables["unknown"].scale, tables["unknown"].by_score, tables["unknown"].avg) == (None, {2: 1}, 2.0)
    assert sum(t.n for t in tables.values()) == report.stats.center.survey_n == 7
    [table] = [t for t in all_tables(report) if t.title.startswith("满意度评价")]
    assert table.headers == ["评价", "量表", "次数", "平均分", "1分", "2分", "3分", "4分", "5分"]
    assert table.rows[0] == ["语音菜单评价", "1–3分", "3", "2.33", "1", "1", "0", "1", "—"]
    assert table.rows[1] == ["座席服务评价", "1–5分", "3", "3.33", "1", "0", "0", "1", "1"]
    doc = json.loads(to_json(report))
    assert doc["surveys"][0] == {"source": "ivr", "scale": [1, 3], "n": 3, "avg": 7 / 3,
                                 "by_score": {"1": 1, "2": 1, "3": 0, "4": 1}}  # fmt: skip
    assert "survey_score,agent,5,1" in to_csv(report).splitlines()


async def test_an_empty_day_lists_both_scales_and_every_fault_type(engine):
    report = await build_report(engine, DAY, company="平安县")
    assert [(t.source, t.n, t.avg) for t in report.desk.surveys] == [("ivr", 0, None), ("agent", 0, None)]
    repairs = report.desk.repairs
    assert [(r.fault_type, r.figures.orders) for r in repairs.by_type] == [
        ("equipment", 0),
        ("line", 0),
        ("other", 0),
    ]
    assert repairs.by_subtype == [] and repairs.total.within_rate is None and report.desk.harassment == []
    render_html(report)


END = at("2026-11-23 09:00:00")  # when the repair calls ended


def order(
    number: str, fault: str, sub: str | None, hhmm: str, *, uid=None, sent=None, merged=0, kind="repair"
):
    """A work order created at `hhmm` on the day (or a full local time), published `sent` s after END."""
    return {
        "number": number, "kind": kind, "status": "open", "call_uniqueid": uid, "address": "城关镇",
        "fault_type": fault if kind == "repair" else None, "fault_subtype": sub, "description": "停电",
        "created_at": at(hhmm if " " in hhmm else f"2026-11-23 {hhmm}:00"), "created_by": "001",
        "published_at": None if sent is None else END + sent * S, "merged_reports": merged,
    }  # fmt: skip


def ended(uid: str):
    row = call(uid, "2026-11-23 08:00:00", "agent_answered", queued=5, wait=5 * S, talk=30, agent="001")
    return {**row, "ended_at": END}


async def test_repairs_by_fault_type_with_the_five_minute_norm(engine):
    await insert_rows(engine, Call, [ended(f"r{i}") for i in (1, 2, 3, 4, 9)])
    await insert_rows(engine, WorkOrderRow, [
        order("GD1", "equipment", "变压器", "08:59", uid="r1", sent=120, merged=1),
        order("GD2", "equipment", "变压器", "09:02", uid="r2", sent=400, merged=2),
        order("GD3", "equipment", "表箱", "08:59", uid="r3", sent=-30),  # before the call ended: 0 s
        order("GD4", "line", None, "09:01", uid="r4"),  # never published: not within
        order("GD5", "other", "无电", "12:00", sent=0),  # no call: apart
        order("GD6", "line", "下户线", "12:00", uid="ghost", sent=0),  # a call not in the store: apart
        order("GD7", "line", "下户线", "2026-11-22 23:59:00", uid="r1", sent=0),  # the day before
        order("GD8", "line", "下户线", "10:00", kind="complaint"),  # not a repair
        order("GD9", "line", "下户线", "09:03", uid="r9", sent=300),  # exactly 5 minutes: within
    ])  # fmt: skip
    repairs = (await build_report(engine, DAY, company="平安县")).desk.repairs

    def figures(f):
        return (f.orders, f.merged_reports, f.with_call, f.within_target, f.without_call, f.delay_p50_s,
                f.delay_max_s)  # fmt: skip

    assert figures(repairs.total) == (7, 3, 5, 3, 2, 210.0, 400.0) and repairs.total.within_rate == 3 / 5
    assert [(r.fault_type, figures(r.figures)) for r in repairs.by_type] == [
        ("equipment", (3, 3, 3, 2, 0, 120.0, 400.0)),
        ("line", (3, 0, 2, 1, 1, 300.0, 300.0)),
        ("other", (1, 0, 0, 0, 1, None, None)),
    ]
    assert [(r.fault_type, r.fault_subtype, figures(r.figures)) for r in repairs.by_subtype] == [
        ("equipment", "变压器", (2, 3, 2, 1, 0, 260.0, 400.0)),
        ("equipment", "表箱", (1, 0, 1, 1, 0, 0.0, 0.0)),
        ("line", "下户线", (2, 0, 1, 1, 1, 300.0, 300.0)),
        ("line", None, (1, 0, 1, 0, 0, None, None)),
        ("other", "无电", (1, 0, 0, 0, 1, None, None)),
    ]


async def test_the_repairs_table_and_its_exports(engine):
    await insert_rows(engine, Call, [ended("r1")])
    await insert_rows(engine, WorkOrderRow, [
        order("GD1", "equipment", "变压器", "08:59", uid="r1", sent=90, merged=1),
        order("GD2", "line", None, "10:00"),
    ])  # fmt: skip
    report = await build_report(engine, DAY, company="平安县")
    [table] = [t for t in all_tables(report) if t.title == "故障报修分类统计"]
    assert table.rows[0] == ["设备", "小计", "1", "50.0%", "1", "1", "1", "100.0%", "90.0", "90.0", "0"]
    assert table.rows[1] == ["", "变压器", "1", "50.0%", "1", "1", "1", "100.0%", "90.0", "90.0", "0"]
    assert table.rows[3] == ["", "未注明", "1", "50.0%", "0", "0", "0", "—", "—", "—", "1"]
    assert table.rows[-1] == ["合计", "", "2", "100.0%", "1", "1", "1", "100.0%", "90.0", "90.0", "1"]
    doc = json.loads(to_json(report))["repairs"]
    assert doc["publish_target_s"] == 300.0
    assert doc["by_subtype"][1] == {
        "fault_type": "line", "fault_subtype": None, "orders": 1, "merged_reports": 0, "with_call": 0,
        "within_target": 0, "within_rate": None, "without_call": 1, "delay_p50_s": None, "delay_max_s": None,
    }  # fmt: skip
    lines = to_csv(report).splitlines()
    assert (
        "repair_subtype,equipment:变压器,delay_p50_s,90.0" in lines
        and "repair_subtype,line:,orders,1" in lines
    )
    assert "repair,,within_rate,1.0" in lines


def warning(uid: str, when: str, number: str, kind: str = "harassment_warning"):
    return {"call_uniqueid": uid, "at": at(when), "kind": kind, "data": {"number": number}}


async def test_harassment_warnings_per_masked_number(engine):
    await insert_rows(engine, CallEvent, [
        warning("h1", "2026-11-23 09:00:00", "13800001111"),
        warning("h1", "2026-11-23 09:00:30", "13800001111"),  # the same call again: one call
        warning("h2", "2026-11-23 15:00:00", "13800001111"),
        warning("h3", "2026-11-23 16:00:00", "05511234567"),
        warning("h4", "2026-11-22 23:59:59", "05511234567"),  # the day before
        warning("h5", "2026-11-23 16:00:00", "13900002222", kind="repair_notice"),
    ])  # fmt: skip
    report = await build_report(engine, DAY, company="平安县")
    assert [(r.number, r.calls) for r in report.desk.harassment] == [("138****1111", 2), ("055****4567", 1)]
    [table] = [t for t in all_tables(report) if t.title == "骚扰电话警示"]
    assert table.rows == [["138****1111", "2"], ["055****4567", "1"], ["合计", "3"]]
    assert json.loads(to_json(report))["harassment"] == {
        "calls": 3, "numbers": [{"number": "138****1111", "calls": 2}, {"number": "055****4567", "calls": 1}]
    }  # fmt: skip
    page = render_html(report)
    assert "13800001111" not in page and "138****1111" in page
    assert "harassment_number,138****1111,calls,2" in to_csv(report).splitlines()


async def test_the_text_report_prints_the_new_tables(engine):
    await insert_rows(engine, Call, CATEGORY_DAY)
    buffer = StringIO()
    print_report(await build_report(engine, DAY, company="平安县"), Console(file=buffer, width=220))
    text = buffer.getvalue()
    for title in ("人工接听业务分类", "满意度评价(按量表)", "故障报修分类统计", "骚扰电话警示"):
        assert title in text
    assert "按菜单分类(共2次)" in text and "电量电费查询" in text
