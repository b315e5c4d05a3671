"""`hotline report` in every format, on SQLite and PostgreSQL, over the hand-made report day
(report_day.py, the `loaded_engine` fixture)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import typer
from report_day import at
from sqlalchemy import insert
from typer.testing import CliRunner

from hotline.cli.report_cmd import report
from hotline.store.models import CallEvent

app = typer.Typer()
app.command()(report)


def _state(local: str, frm: str, to: str) -> dict:
    return {
        "call_uniqueid": "agent-001",
        "at": at(local),
        "kind": "agent_state",
        "data": {"from": frm, "to": to, "agent_id": "001"},
    }


@pytest.fixture
async def with_pauses(loaded_engine):
    """001 logged in 08:00-18:00 on the day, on a break 12:00-12:30."""
    async with loaded_engine.begin() as conn:
        for row in (
            _state("2026-11-23 08:00:00", "logged_out", "ready"),
            _state("2026-11-23 12:00:00", "ready", "paused(break)"),
            _state("2026-11-23 12:30:00", "paused(break)", "ready"),
            _state("2026-11-23 18:00:00", "ready", "logged_out"),
        ):
            await conn.execute(insert(CallEvent), row)
    return loaded_engine


@pytest.fixture
def config(tmp_path, db_url, with_pauses):
    path = tmp_path / "hotline.yaml"
    path.write_text(
        f"""company: 平安县
database:
  url: {db_url}
agents:
  - {{id: "001", extension: "1001", secret: pw1001-lab, name: 座席一}}
  - {{id: "004", extension: "1004", secret: pw1004-lab, name: 新人}}
""",
        encoding="utf-8",
    )
    return path


def run(config, *args: str):
    result = CliRunner().invoke(app, [*args, "--config", str(config)], env={"COLUMNS": "220"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_json_has_the_documented_keys_and_figures(config):
    result = run(config, "--day", "2026-11-23", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == [
        "format",
        "title",
        "period",
        "thresholds",
        "center",
        "inbound_outcomes",
        "ivr_functions",
        "agent_categories",
        "agents",
        "by_hour",
        "by_day",
        "staffing",
        "outbound",
        "agent_category_sources",
        "surveys",
        "repairs",
        "harassment",
        "quality",
    ]
    assert doc["title"] == "国家电网平安县供电服务热线 2026年11月23日 话务统计分析"
    assert doc["period"] == {
        "kind": "day",
        "label": "2026-11-23",
        "start": "2026-11-23T00:00:00+08:00",
        "end": "2026-11-24T00:00:00+08:00",
        "timezone": "Asia/Shanghai",
        "days": 1,
    }
    c = doc["center"]
    assert (c["inbound"], c["offered"], c["answered"], c["ivr_only"], c["unanswered"]) == (16, 9, 4, 5, 5)
    assert c["connect_rate"] == pytest.approx(4 / 9) and c["service_level"] == 0.5
    assert [a["agent_id"] for a in doc["agents"]] == ["001", "002", "003", "004"]
    assert doc["agents"][3] == {
        "agent_id": "004",
        "name": "新人",
        "offered": 0,
        "no_answer": 0,
        "answered": 0,
        "answer_rate": None,
        "talk_s": 0.0,
        "aht_s": None,
        "survey_n": 0,
        "survey_avg": None,
        "logged_in_s": 0.0,
        "paused_s": 0.0,
        "paused_by_reason": {},
    }
    assert [doc["agents"][0][k] for k in ("logged_in_s", "paused_s", "paused_by_reason")] == [
        36000.0,
        1800.0,
        {"break": 1800.0},
    ]
    assert len(doc["by_hour"]) == 24 and doc["by_hour"][10]["offered"] == 2
    assert (doc["staffing"]["target_s"], doc["staffing"]["wrap_up_s"]) == (12.0, 15.0)  # the config's default
    assert doc["staffing"]["hours"][10]["aht_s"] == 165.0  # 150 s talk + 15 s wrap-up
    assert doc["staffing"]["hours"][10]["agents_needed"] == 1
    assert doc["outbound"] == {
        "total": 3,
        "talk_s": 30.0,
        "outcomes": {
            "answered": 1,
            "busy": 1,
            "no_answer": 0,
            "cancelled": 0,
            "failed": 0,
            "blocked": 1,
            "in_progress": 0,
        },
    }


def test_csv_is_one_figure_per_line(config, tmp_path):
    out = tmp_path / "day.csv"
    result = run(config, "--day", "2026-11-23", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == ["section", "key", "metric", "value"]
    cells = {(s, k, m): v for s, k, m, v in rows[1:]}
    assert cells[("center", "", "inbound")] == "16"
    assert cells[("center", "", "service_level")] == "0.5"
    assert cells[("inbound_outcome", "abandoned_ringing", "calls")] == "1"
    assert cells[("ivr_function", "outage_query", "share")] == "0.4"
    assert cells[("agent", "001", "offered")] == "4"
    assert cells[("agent", "004", "answer_rate")] == ""  # nothing to measure: empty
    assert (cells[("agent", "001", "logged_in_s")], cells[("agent", "001", "paused_s")]) == (
        "36000.0",
        "1800.0",
    )
    assert cells[("agent_pause", "001", "break")] == "1800.0"
    assert not [k for k in cells if k[0] == "agent_pause" and k[1] != "001"]  # only reasons with time
    assert cells[("hour", "23", "inbound")] == "2"
    assert cells[("day", "2026-11-23", "blocked")] == "1"
    assert cells[("staffing", "10", "agents_needed")] == "1"
    assert cells[("outbound_outcome", "busy", "calls")] == "1"


def test_text_shows_the_tables(config):
    result = run(config, "--day", "2026-11-23")
    assert result.exit_code == 0, result.output
    text = result.stdout
    for expected in (
        "国家电网平安县供电服务热线 2026年11月23日 话务统计分析",
        "接通率",
        "44.4%",
        "服务水平(12秒)",
        "50.0%",
        "停电预告查询",
        "座席一",
        "新人",
        "建议座席",
        "呼出统计",
        "登录(分钟)",
        "暂停(分钟)",
        "其中休息",
    ):
        assert expected in text, expected
    assert "自动应答次数为5,占35.7%" in text
    assert re.search(r"001 .*│ +600\.0 │ +30\.0 │ +30\.0 │", text)  # 10 h logged in, a 30 min break


def test_html_is_one_self_contained_page(config, tmp_path):
    out = tmp_path / "month.html"
    result = run(config, "--month", "2026-11", "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert (
        page.startswith("<!DOCTYPE html>")
        and "<title>国家电网平安县供电服务热线 2026年11月 话务统计分析</title>" in page
    )
    assert page.count("<svg") == 5  # calls per hour, rates per day, outcome / IVR / agent shares
    for title in ("分时呼入量", "每日接通率与服务水平", "呼入结果占比", "自动应答业务占比", "分日统计"):
        assert title in page
    assert "<th>登录(分钟)</th><th>暂停(分钟)</th><th>其中休息</th>" in page
    assert "<td>600.0</td><td>30.0</td><td>30.0</td>" in page  # 001: 10 h logged in, a 30 min break
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert not [u for u in re.findall(r"https?://[^\"' <]+", page) if u != "http://www.w3.org/2000/svg"]


def test_year_report_runs(config):
    result = run(config, "--year", "2026", "--format", "json")
    doc = json.loads(result.stdout)
    assert (doc["period"]["days"], len(doc["by_day"]), doc["center"]["inbound"]) == (365, 365, 18)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give exactly one of --day YYYY-MM-DD, --month YYYY-MM, --year YYYY"),
        (("--day", "2026-11-23", "--month", "2026-11"), "give exactly one of"),
        (("--day", "2026-02-30"), "--day '2026-02-30'"),
        (("--month", "2026-13"), "--month '2026-13' is not a month"),
        (("--year", "26"), "--year '26' is not a year"),
        (("--day", "2026-11-23", "--tz", "Mars/Base"), "unknown time zone 'Mars/Base'"),
        (("--day", "2026-11-23", "--goal", "1.5"), "--goal 1.5 must be a share"),
    ],
)
def test_bad_options_exit_2_with_a_clear_message(config, args, message):
    result = run(config, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_missing_sqlite_store_is_an_error_not_an_empty_report(tmp_path):
    path = tmp_path / "hotline.yaml"
    path.write_text(f"company: 平安县\ndatabase:\n  url: sqlite+aiosqlite:///{tmp_path / 'none.db'}\n")
    result = CliRunner().invoke(app, ["--day", "2026-11-23", "--config", str(path)])
    assert result.exit_code == 2 and "no call store at" in result.stderr
    assert not (tmp_path / "none.db").exists()
