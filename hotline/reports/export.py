"""JSON and CSV exports of a report, for other tools. The keys below are stable.

JSON (`to_json`), one object:
  format            "hotline-report/1"
  title             Chinese title, e.g. "国家电网平安县供电服务热线 2026年11月 话务统计分析"
  period            {kind: day|month|year|custom, label, start, end (local ISO 8601 with offset,
                     [start, end)), timezone, days}
  thresholds        {answer_target_s, short_abandon_s}
  center            FIGURES (inbound calls of the whole period)
  inbound_outcomes  {outcome: calls} for ivr_only, agent_answered, abandoned_queue,
                     abandoned_ringing, message_left, callback_requested, failed, blocked,
                     fallback (only when the period has fallback calls), in_progress, other
  ivr_functions     [{category, calls, share, share_of_handled}]  self-service calls by the IVR
                    function last used; agent_categories [{category, calls, share,
                    share_of_handled, from_menu}]  agent-answered calls by the agent's category
                    (the disposition), else the menu's (from_menu: of calls, those that fell back).
                    share = of the table's calls (center.ivr_only / center.answered, as seed 002
                    writes it); share_of_handled = of center.handled (every inbound call taken;
                    blocked calls are in no denominator). Rows: every configured category in the
                    configured order (zeros included), then keys no longer configured, largest
                    first, then "unknown" (no category). category_tables.py
  agents            [{agent_id, name, offered, no_answer, answered, answer_rate, talk_s, aht_s,
                      survey_n, survey_avg, logged_in_s, paused_s, paused_by_reason: {reason: s}}]
                    logged_in_s / paused_s: seconds in the period (until `now` if it is not
                    over) logged in (paused included) / paused; paused_by_reason: only the reasons
                    with time, e.g. {"no answer": 36.0, "break": 900.0} (pause.py)
  by_hour           [{hour: 0..23, FIGURES}]       local hour of the day, summed over the period
  by_day            [{date: YYYY-MM-DD, FIGURES}]  every local day, zeros included
  staffing          {goal, wrap_up_s, target_s, hours: [{hour, offered_per_day, peak_offered,
                      aht_s, traffic_erlangs, agents_needed, agents_needed_peak}]}
  outbound          {total, talk_s, outcomes: {answered, busy, no_answer, cancelled, failed,
                      blocked, in_progress}}
  agent_category_sources  {disposition, menu, none}: agent-answered calls whose category is the
                    agent's, fell back to the menu's, or is unknown (they add up to answered)
  surveys           [{source: ivr|agent|unknown, scale: [1, 3] | [1, 5] | null, n, avg,
                      by_score: {"1": calls, ...}}]  one per scale (unknown only when some
                    scores have no source); 1 is the best mark on both; n adds up to survey_n
  repairs           {publish_target_s: 300, total: REPAIR, by_type: [{fault_type, REPAIR}],
                      by_subtype: [{fault_type, fault_subtype (null: none), REPAIR}]}  repair
                    orders created in the period (desk_figures.py)
  harassment        {calls, numbers: [{number (masked, 138****0000), calls}]}  calls that heard
                    the harassment warning, per number
  quality           [{agent_id, drawn, scored, average_points, average_share}]  the supervisors'
                    spot checks of calls started in the period (null: nothing scored)

FIGURES = counts inbound, blocked, in_progress, handled, offered, ivr_only, answered, unanswered,
answered_within, abandoned, abandoned_within, short_abandoned, wait_n, wait_sum_s, talk_n,
talk_sum_s, survey_n, survey_sum, fallback, fallback_answered (calls the fallback dialplan rang the
agents for while the daemon was down / of those, answered by an agent); rates (0..1)
share_ivr_only, share_answered, share_unanswered, connect_rate, service_level,
service_level_inclusive, abandon_rate, abandon_rate_incl_short; seconds asa_s, aht_s; survey_avg.
REPAIR = orders, merged_reports, with_call (their call has ended), within_target (published
within publish_target_s of the call's end), within_rate (within_target / with_call), without_call
(counted apart), delay_p50_s, delay_max_s (published_at - the call's end, 0 if before it).
Definitions: hotline/reports/figures.py. A rate or average with nothing to measure (a zero
denominator) is null in JSON and an empty cell in CSV; counts are always numbers.

CSV (`to_csv`), "long" format with the header section,key,metric,value, one figure per line:
  period,,<kind|label|start|end|timezone|days>,...   thresholds,,<name>,...
  center,,<FIGURE>,...       inbound_outcome,<outcome>,calls,...
  ivr_function,<category>,<calls|share|share_of_handled>,...
  agent_category,<category>,<calls|share|share_of_handled|from_menu>,...
  agent,<agent_id>,<name|offered|...|logged_in_s|paused_s>,...
  agent_pause,<agent_id>,<reason>,<seconds>          hour,<00..23>,<FIGURE>,...
  day,<YYYY-MM-DD>,<FIGURE>,...                      staffing,<00..23>,<field>,...
  staffing,,<goal|wrap_up_s|target_s>,...            outbound,,<total|talk_s>,...
  outbound_outcome,<outcome>,calls,...
  agent_category_source,<disposition|menu|none>,calls,...
  survey,<source>,<scale_min|scale_max|n|avg>,...   survey_score,<source>,<mark>,<calls>
  repair,,<publish_target_s|REPAIR>,...              repair_type,<fault_type>,<REPAIR>,...
  repair_subtype,<fault_type>:<sub-type>,<REPAIR>,...   (nothing after ':' = no sub-type)
  harassment,,calls,...                              harassment_number,<masked number>,calls,...
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from hotline.reports.export_desk import desk_dict, desk_rows, share_dict
from hotline.reports.report import Report
from hotline.reports.stats import AgentRow

FORMAT = "hotline-report/1"


def _agent(a: AgentRow) -> dict[str, Any]:
    return {
        "agent_id": a.agent_id,
        "name": a.name,
        "offered": a.offered,
        "no_answer": a.no_answer,
        "answered": a.answered,
        "answer_rate": a.answer_rate,
        "talk_s": a.talk_sum_s,
        "aht_s": a.aht_s,
        "survey_n": a.survey_n,
        "survey_avg": a.survey_avg,
        "logged_in_s": a.logged_in_s,
        "paused_s": a.paused_s,
        "paused_by_reason": dict(a.paused_by_reason),
    }


def report_dict(report: Report) -> dict[str, Any]:
    s = report.stats
    p = s.period
    return {
        "format": FORMAT,
        "title": report.title,
        "period": {
            "kind": p.kind,
            "label": p.label,
            "start": p.start.astimezone(p.tz).isoformat(),
            "end": p.end.astimezone(p.tz).isoformat(),
            "timezone": p.tz.key,
            "days": len(p.days),
        },
        "thresholds": asdict(s.thresholds),
        "center": s.center.as_dict(),
        "inbound_outcomes": dict(s.inbound_outcomes),
        "ivr_functions": [share_dict(x) for x in s.ivr_functions],
        "agent_categories": [share_dict(x, agent=True) for x in s.agent_categories],
        "agents": [_agent(a) for a in s.agents],
        "by_hour": [{"hour": h, **c.as_dict()} for h, c in s.by_hour],
        "by_day": [{"date": d.isoformat(), **c.as_dict()} for d, c in s.by_day],
        "staffing": {
            "goal": report.goal,
            "wrap_up_s": report.wrap_up_s,
            "target_s": s.thresholds.answer_target_s,
            "hours": [asdict(r) for r in report.staffing],
        },
        "outbound": {
            "total": s.outbound_total,
            "talk_s": s.outbound_talk_s,
            "outcomes": dict(s.outbound_outcomes),
        },
        **desk_dict(report),
    }


def to_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"


def _rows(d: dict[str, Any]) -> Iterator[tuple[str, str, str, Any]]:
    for name, value in d["period"].items():
        yield "period", "", name, value
    for name, value in d["thresholds"].items():
        yield "thresholds", "", name, value
    for name, value in d["center"].items():
        yield "center", "", name, value
    for outcome, calls in d["inbound_outcomes"].items():
        yield "inbound_outcome", outcome, "calls", calls
    for section, rows in (("ivr_function", d["ivr_functions"]), ("agent_category", d["agent_categories"])):
        for row in rows:
            yield from (
                (section, row["category"], name, value) for name, value in row.items() if name != "category"
            )
    for row in d["agents"]:
        for name, value in row.items():
            if name not in ("agent_id", "paused_by_reason"):
                yield "agent", row["agent_id"], name, value
    for row in d["agents"]:
        for reason, value in row["paused_by_reason"].items():
            yield "agent_pause", row["agent_id"], reason, value
    for section, key, rows in (("hour", "hour", d["by_hour"]), ("day", "date", d["by_day"])):
        for row in rows:
            label = f"{row[key]:02d}" if key == "hour" else row[key]
            for name, value in row.items():
                if name != key:
                    yield section, label, name, value
    for name in ("goal", "wrap_up_s", "target_s"):
        yield "staffing", "", name, d["staffing"][name]
    for row in d["staffing"]["hours"]:
        for name, value in row.items():
            if name != "hour":
                yield "staffing", f"{row['hour']:02d}", name, value
    yield "outbound", "", "total", d["outbound"]["total"]
    yield "outbound", "", "talk_s", d["outbound"]["talk_s"]
    for outcome, calls in d["outbound"]["outcomes"].items():
        yield "outbound_outcome", outcome, "calls", calls
    yield from desk_rows(d)


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "key", "metric", "value"))
    for section, key, metric, value in _rows(report_dict(report)):
        writer.writerow((section, key, metric, "" if value is None else value))
    return buffer.getvalue()
