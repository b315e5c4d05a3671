"""What the calls pages show of a row: local times, Chinese labels, the number that matters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hotline.web.calls.search import DEFAULT_DAYS, OUTCOME_LABELS

DIRECTIONS = {"inbound": "呼入", "outbound": "呼出"}
DELETED_REASONS = {"retention": "已超过保存期限删除", "retention_missing": "保存期满时文件已不存在"}
FIELDS = ("number", "agent", "outcome", "category")


def form_values(params: Mapping[str, str], today: date) -> dict[str, str]:
    """The search form's fields as asked (the dates default to the last DEFAULT_DAYS days)."""
    values = {k: params.get(k, "")[:40] for k in FIELDS}
    values["to"] = params.get("to", "")[:20] or today.isoformat()
    values["from"] = params.get("from", "")[:20] or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    return values


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def category_of(row: Any, categories: Mapping[str, str]) -> str:
    key = row.agent_category or row.business_category
    return categories.get(key, key) if key else ""


def recording_state(row: Any) -> str:
    if row.recording_deleted_at is not None:
        return "已删除"
    return "有" if row.recording_path else ""


def agent_label(agent_id: str | None, agents: Mapping[str, str]) -> str:
    if not agent_id:
        return ""
    name = agents.get(agent_id)
    return f"{agent_id} {name}" if name else agent_id


def row_view(
    row: Any, tz: ZoneInfo, agents: Mapping[str, str], categories: Mapping[str, str]
) -> dict[str, str]:
    """One line of the search results."""
    return {
        "uniqueid": row.uniqueid,
        "started": f"{row.started_at.astimezone(tz):%Y-%m-%d %H:%M:%S}",
        "direction": DIRECTIONS.get(row.direction, row.direction),
        "number": (row.dnid if row.direction == "outbound" else row.caller_number) or "未知号码",
        "agent": agent_label(row.agent_id, agents),
        "outcome": OUTCOME_LABELS.get(row.outcome, row.outcome) if row.outcome else "进行中",
        "category": category_of(row, categories),
        "talk": duration(row.talk_s),
        "recording": recording_state(row),
    }


def call_view(
    call: Any, tz: ZoneInfo, agents: Mapping[str, str], categories: Mapping[str, str]
) -> dict[str, Any]:
    """The call page's summary."""
    view: dict[str, Any] = row_view(call, tz, agents, categories)
    view.update(
        caller=call.caller_number or "未知号码",
        dnid=call.dnid or "",
        wait=duration(call.queue_wait_s),
        survey=str(call.survey_score) if call.survey_score is not None else "",
        has_recording=bool(call.recording_path) and call.recording_deleted_at is None,
        deleted=DELETED_REASONS.get(call.recording_deleted_reason or "", "")
        if call.recording_deleted_at is not None
        else "",
        deleted_at=f"{call.recording_deleted_at.astimezone(tz):%Y-%m-%d %H:%M}"
        if call.recording_deleted_at is not None
        else "",
        ended=f"{call.ended_at.astimezone(tz):%Y-%m-%d %H:%M:%S}" if call.ended_at else "",
    )
    return view
