"""The report's tables as plain text cells, shared by the terminal (text.py) and HTML (html.py)."""

from __future__ import annotations

from hotline.reports.figures import Counts
from hotline.reports.labels import (
    INBOUND_OUTCOME,
    OUTBOUND_OUTCOME,
    PAUSE_REASON,
    label,
    percent,
    seconds,
)
from hotline.reports.pause import reason_order
from hotline.reports.report import Report
from hotline.reports.table import Table
from hotline.reports.tables_desk import (
    agent_categories_table,
    harassment_table,
    ivr_functions_table,
    quality_table,
    repairs_table,
    surveys_table,
)

__all__ = ["Table", "all_tables"]


def _survey(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def key_figures(report: Report) -> Table:
    c = report.stats.center
    target = f"{report.stats.thresholds.answer_target_s:g}"
    short = f"{report.stats.thresholds.short_abandon_s:g}"
    rows = [
        ["呼入总量", str(c.inbound), ""],
        ["线路全忙未接入", str(c.blocked), "另计,不在下列占比内"],
        ["自动应答", str(c.ivr_only), percent(c.share_ivr_only)],
        ["人工接听", str(c.answered), percent(c.share_answered)],
        ["人工未接", str(c.unanswered), percent(c.share_unanswered)],
        ["请求人工", str(c.offered), ""],
        ["接通率", percent(c.connect_rate), "人工接听 / 请求人工"],
        [f"服务水平({target}秒)", percent(c.service_level), f"{target}秒内接听 / 人工接听"],
        [
            "服务水平(含放弃)",
            percent(c.service_level_inclusive),
            f"({target}秒内接听+{target}秒内放弃) / (接听+放弃)",
        ],
        ["放弃率", percent(c.abandon_rate), f"短放弃(<{short}秒){c.short_abandoned}次另计"],
        ["放弃率(含短放弃)", percent(c.abandon_rate_incl_short), f"放弃{c.abandoned}次 / 请求人工"],
        ["平均应答速度(秒)", seconds(c.asa_s), "入队至座席接听"],
        ["平均通话时长(秒)", seconds(c.aht_s), ""],
        ["满意度平均分", _survey(c.survey_avg), f"{c.survey_n}次评价(两种量表合计,分开统计见满意度评价)"],
        [
            "应急振铃(系统停机时)",
            str(c.fallback),
            f"其中人工接听{c.fallback_answered}次;已计入请求人工,等待时长未计",
        ],
    ]
    if c.in_progress:
        rows.insert(2, ["进行中", str(c.in_progress), "尚未结束,不在下列占比内"])
    return Table("话务量统计", ["项目", "数值", "说明"], rows)


def outcomes_table(report: Report) -> Table:
    outcomes = report.stats.inbound_outcomes
    total = sum(outcomes.values())
    rows = [
        [label(INBOUND_OUTCOME, k), str(n), percent(n / total if total else None)]
        for k, n in outcomes.items()
        if n or k not in ("in_progress", "other")
    ]
    return Table("呼入结果", ["结果", "次数", "占比"], rows)


def _minutes(s: float) -> str:
    return f"{s / 60:.1f}"


def agents_table(report: Report) -> Table:
    """Calls, then logged-in and pause time (minutes); after the pause total one column per reason
    that occurred in the period ("其中休息": of which on a break)."""
    agents = report.stats.agents
    reasons = reason_order(r for a in agents for r in a.paused_by_reason)
    rows = [
        [
            a.agent_id,
            a.name or "",
            str(a.offered),
            str(a.no_answer),
            str(a.answered),
            percent(a.answer_rate),
            _minutes(a.talk_sum_s),
            seconds(a.aht_s),
            _survey(a.survey_avg),
            _minutes(a.logged_in_s),
            _minutes(a.paused_s),
            *(_minutes(a.paused_by_reason.get(r, 0.0)) for r in reasons),
        ]
        for a in agents
    ]
    return Table(
        "座席统计",
        [
            "工号",
            "姓名",
            "分配",
            "未应答",
            "接听",
            "应答率",
            "通话(分钟)",
            "平均通话(秒)",
            "满意度",
            "登录(分钟)",
            "暂停(分钟)",
            *(f"其中{label(PAUSE_REASON, r)}" for r in reasons),
        ],
        rows,
    )


def _period_row(name: str, c: Counts) -> list[str]:
    return [
        name,
        str(c.inbound),
        str(c.ivr_only),
        str(c.answered),
        str(c.unanswered),
        str(c.blocked),
        percent(c.connect_rate),
        percent(c.service_level),
        percent(c.abandon_rate),
        seconds(c.asa_s),
        seconds(c.aht_s),
    ]


_PERIOD_HEADERS = [
    "呼入",
    "自动应答",
    "人工接听",
    "人工未接",
    "全忙",
    "接通率",
    "服务水平",
    "放弃率",
    "平均应答(秒)",
    "平均通话(秒)",
]


def by_period_table(report: Report) -> Table:
    """By day for a month (or custom period), by month for a year."""
    s = report.stats
    if s.period.kind == "year":
        return Table("分月统计", ["月份", *_PERIOD_HEADERS], [_period_row(m, c) for m, c in s.by_month])
    return Table("分日统计", ["日期", *_PERIOD_HEADERS], [_period_row(d.isoformat(), c) for d, c in s.by_day])


def hours_table(report: Report) -> Table:
    """By local hour of the day, with the Erlang C staffing advice."""
    goal = f"{report.goal * 100:g}%"
    target = f"{report.stats.thresholds.answer_target_s:g}"
    rows = []
    for (hour, c), st in zip(report.stats.by_hour, report.staffing, strict=True):
        rows.append(
            _period_row(f"{hour:02d}:00", c)
            + [
                f"{st.offered_per_day:.1f}",
                str(st.peak_offered),
                "—" if st.traffic_erlangs is None else f"{st.traffic_erlangs:.2f}",
                "—" if st.agents_needed is None else str(st.agents_needed),
                "—" if st.agents_needed_peak is None else str(st.agents_needed_peak),
            ]
        )
    return Table(
        f"分时统计与座席配置建议(Erlang C,{target}秒内接听{goal})",
        ["时段", *_PERIOD_HEADERS, "日均请求人工", "最忙日", "话务量(Erl)", "建议座席", "最忙日座席"],
        rows,
    )


def outbound_table(report: Report) -> Table:
    s = report.stats
    rows = [[label(OUTBOUND_OUTCOME, k), str(n)] for k, n in s.outbound_outcomes.items() if n]
    rows.append(["合计", str(s.outbound_total)])
    rows.append(["通话(分钟)", f"{s.outbound_talk_s / 60:.1f}"])
    return Table("呼出统计(不计入呼入数字)", ["结果", "次数"], rows)


def all_tables(report: Report) -> list[Table]:
    return [
        key_figures(report),
        outcomes_table(report),
        ivr_functions_table(report),
        agent_categories_table(report),
        surveys_table(report),
        agents_table(report),
        by_period_table(report),
        hours_table(report),
        repairs_table(report),
        harassment_table(report),
        quality_table(report),
        outbound_table(report),
    ]
