"""The lists the desk's forms offer: the center's agent categories, order kinds, fault types."""

from __future__ import annotations

from hotline.reports.labels import CATEGORY
from hotline.settings import Settings

ORDER_KINDS = {"repair": "故障报修", "complaint": "投诉", "report": "举报"}
FAULT_TYPES = {"equipment": "设备", "line": "线路", "other": "其他"}
AGENT_CATEGORIES = (
    "consultation",
    "information_query",
    "fault_repair",
    "new_connection",
    "complaint",
    "theft_report",
    "other",
)


def agent_categories(settings: Settings) -> list[tuple[str, str]]:
    return [(key, CATEGORY[key]) for key in AGENT_CATEGORIES]


def form_choices(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    return {
        "categories": agent_categories(settings),
        "order_kinds": list(ORDER_KINDS.items()),
        "fault_types": list(FAULT_TYPES.items()),
    }
