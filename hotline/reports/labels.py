"""Chinese names for the report's keys (the keys themselves stay English in CSV/JSON).

Business categories are the site's (`categories:`, Report.categories), not listed here."""

from __future__ import annotations

from hotline.reports.period import Period

SURVEY_SOURCE = {"ivr": "语音菜单评价", "agent": "座席服务评价", "unknown": "来源不明的评价"}
SURVEY_MARKS = {  # what each key means in its prompt (prompts/catalog.yaml); 1 is the best on both
    "ivr": {1: "满意", 2: "基本满意", 3: "不满意"},
    "agent": {1: "非常满意", 2: "满意", 3: "一般", 4: "不满意", 5: "非常不满意"},
}
FAULT_TYPE = {"equipment": "设备", "line": "线路", "other": "其他"}
INBOUND_OUTCOME = {
    "ivr_only": "自助服务",
    "agent_answered": "人工接听",
    "abandoned_queue": "排队中放弃",
    "abandoned_ringing": "振铃中放弃",
    "message_left": "留言",
    "callback_requested": "预约回呼",
    "failed": "失败",
    "blocked": "线路全忙未接入",
    "fallback": "应急振铃(系统停机时)",
    "in_progress": "进行中",
    "other": "其他",
}
OUTBOUND_OUTCOME = {
    "answered": "接通",
    "busy": "忙",
    "no_answer": "无人接听",
    "cancelled": "取消",
    "failed": "失败",
    "blocked": "外线全忙",
    "in_progress": "进行中",
}
PAUSE_REASON = {  # agent_state paused(<reason>): the ACD's "no answer", then the *46N reasons
    "no answer": "未应答",
    "break": "休息",
    "meeting": "会议",
    "training": "培训",
    "other": "其他",
}
METRIC = {
    "inbound": "呼入总量",
    "handled": "接入",
    "ivr_only": "自动应答",
    "answered": "人工接听",
    "unanswered": "人工未接",
    "offered": "请求人工",
    "blocked": "线路全忙未接入",
    "in_progress": "进行中",
    "connect_rate": "接通率",
    "service_level": "服务水平",
    "service_level_inclusive": "服务水平(含放弃)",
    "abandon_rate": "放弃率",
    "abandon_rate_incl_short": "放弃率(含短放弃)",
    "abandoned": "放弃",
    "short_abandoned": "短放弃",
    "asa_s": "平均应答速度(秒)",
    "aht_s": "平均通话时长(秒)",
    "survey_avg": "满意度平均分",
    "fallback": "应急振铃(系统停机时)",
    "fallback_answered": "应急振铃人工接听",
}


def label(table: dict[str, str], key: str) -> str:
    return table.get(key, key)


def period_title(period: Period) -> str:
    """'2026年11月23日', '2026年11月', '2026年', or the local start and end of a custom period."""
    if period.kind == "day":
        y, m, d = period.label.split("-")
        return f"{int(y)}年{int(m)}月{int(d)}日"
    if period.kind == "month":
        y, m = period.label.split("-")
        return f"{int(y)}年{int(m)}月"
    if period.kind == "year":
        return f"{int(period.label)}年"
    start, end = period.start.astimezone(period.tz), period.end.astimezone(period.tz)
    return f"{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}"


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
