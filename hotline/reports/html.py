"""The report as ONE self-contained HTML page: inline CSS and SVG, no scripts, nothing fetched."""

from __future__ import annotations

from html import escape

from hotline.reports.labels import INBOUND_OUTCOME, label
from hotline.reports.report import Report
from hotline.reports.svg_charts import PALETTE, rate_lines, share_bars, stacked_bars
from hotline.reports.tables import Table, all_tables

CSS = """body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}
th{background:#f0f3f7}td{text-align:right}td:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:16px}.note{color:#555;font-size:13px}"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    grid = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"<h2>{escape(table.title)}</h2>{grid}{note}"


def _calls_per_hour(report: Report) -> str:
    hours = report.stats.by_hour
    series = [
        ("自动应答", [c.ivr_only for _, c in hours], PALETTE[0]),
        ("人工接听", [c.answered for _, c in hours], PALETTE[1]),
        ("人工未接", [c.unanswered for _, c in hours], PALETTE[2]),
        ("线路全忙", [c.blocked for _, c in hours], PALETTE[3]),
    ]
    return stacked_bars("分时呼入量(各时段合计)", [f"{h:02d}" for h, _ in hours], series)


def _rates(report: Report) -> str:
    s = report.stats
    if s.period.kind == "day":
        title, points = "分时接通率与服务水平", [(f"{h:02d}", c) for h, c in s.by_hour]
    elif s.period.kind == "year":
        title, points = "每月接通率与服务水平", [(m[5:], c) for m, c in s.by_month]
    else:
        title, points = "每日接通率与服务水平", [(d.strftime("%d"), c) for d, c in s.by_day]
    target = f"{s.thresholds.answer_target_s:g}"
    return rate_lines(
        title,
        [p for p, _ in points],
        [
            ("接通率", [c.connect_rate for _, c in points], PALETTE[0]),
            (f"服务水平({target}秒)", [c.service_level for _, c in points], PALETTE[1]),
        ],
    )


def render_html(report: Report) -> str:
    s = report.stats
    p = s.period
    outcomes = s.inbound_outcomes
    total = sum(outcomes.values())
    outcome_items = [
        (label(INBOUND_OUTCOME, k), n, n / total if total else None) for k, n in outcomes.items() if n
    ]
    charts = [
        _calls_per_hour(report),
        _rates(report),
        share_bars("呼入结果占比", outcome_items),
        share_bars(
            "自动应答业务占比",
            [(report.categories.ivr_label(x.key), x.calls, x.share) for x in s.ivr_functions],
        ),
        share_bars(
            "人工接听业务占比",
            [(report.categories.agent_label(x.key), x.calls, x.share) for x in s.agent_categories],
        ),
    ]
    note = (
        f"统计时段 {p.start.astimezone(p.tz):%Y-%m-%d %H:%M} 至 {p.end.astimezone(p.tz):%Y-%m-%d %H:%M}"
        f"({p.tz.key});通话按开始时间计入日期与时段。"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{escape(report.title)}</h1><p class="note">{escape(note)}</p>'
        f"<p>{escape(report.summary_zh())}</p>"
        f'<div class="charts">{"".join(charts)}</div>'
        + "".join(_table(t) for t in all_tables(report))
        + "</body></html>\n"
    )
