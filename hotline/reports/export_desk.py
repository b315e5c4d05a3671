"""The JSON and CSV shape of the report's agent-desk sections (export.py documents every key)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hotline.quality.report_table import quality_json
from hotline.reports.category_tables import Share
from hotline.reports.desk_figures import PUBLISH_TARGET_S, RepairFigures
from hotline.reports.report import Report

Row = tuple[str, str, str, Any]


def share_dict(x: Share, *, agent: bool = False) -> dict[str, Any]:
    row = {"category": x.key, "calls": x.calls, "share": x.share, "share_of_handled": x.share_of_handled}
    return {**row, "from_menu": x.from_menu} if agent else row


def _figures(f: RepairFigures) -> dict[str, Any]:
    return {
        "orders": f.orders,
        "merged_reports": f.merged_reports,
        "with_call": f.with_call,
        "within_target": f.within_target,
        "within_rate": f.within_rate,
        "without_call": f.without_call,
        "delay_p50_s": f.delay_p50_s,
        "delay_max_s": f.delay_max_s,
    }


def desk_dict(report: Report) -> dict[str, Any]:
    """The sections after `outbound`: category sources, surveys, repairs, harassment."""
    desk, repairs = report.desk, report.desk.repairs
    return {
        "agent_category_sources": dict(report.stats.agent_category_sources),
        "surveys": [
            {
                "source": t.source,
                "scale": list(t.scale) if t.scale else None,
                "n": t.n,
                "avg": t.avg,
                "by_score": {str(mark): calls for mark, calls in t.by_score.items()},
            }
            for t in desk.surveys
        ],
        "repairs": {
            "publish_target_s": PUBLISH_TARGET_S,
            "total": _figures(repairs.total),
            "by_type": [{"fault_type": r.fault_type, **_figures(r.figures)} for r in repairs.by_type],
            "by_subtype": [
                {"fault_type": r.fault_type, "fault_subtype": r.fault_subtype, **_figures(r.figures)}
                for r in repairs.by_subtype
            ],
        },
        "harassment": {
            "calls": desk.harassment_calls,
            "numbers": [{"number": r.number, "calls": r.calls} for r in desk.harassment],
        },
        "quality": quality_json(desk.quality),
    }


def desk_rows(d: dict[str, Any]) -> Iterator[Row]:
    for source, calls in d["agent_category_sources"].items():
        yield "agent_category_source", source, "calls", calls
    for t in d["surveys"]:
        scale = t["scale"] or [None, None]
        for name, value in (
            ("scale_min", scale[0]),
            ("scale_max", scale[1]),
            ("n", t["n"]),
            ("avg", t["avg"]),
        ):
            yield "survey", t["source"], name, value
        for mark, calls in t["by_score"].items():
            yield "survey_score", t["source"], mark, calls
    repairs = d["repairs"]
    yield "repair", "", "publish_target_s", repairs["publish_target_s"]
    yield from (("repair", "", name, value) for name, value in repairs["total"].items())
    for row in repairs["by_type"]:
        yield from (("repair_type", row["fault_type"], k, v) for k, v in row.items() if k != "fault_type")
    for row in repairs["by_subtype"]:
        key = f"{row['fault_type']}:{row['fault_subtype'] or ''}"
        yield from (
            ("repair_subtype", key, k, v) for k, v in row.items() if k not in ("fault_type", "fault_subtype")
        )
    yield "harassment", "", "calls", d["harassment"]["calls"]
    for row in d["harassment"]["numbers"]:
        yield "harassment_number", row["number"], "calls", row["calls"]
    for row in d["quality"]:
        for name in ("drawn", "scored", "average_points", "average_share"):
            yield "quality", row["agent_id"], name, row[name]
