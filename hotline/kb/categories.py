"""The agent categories an article may be filed under: key -> Chinese label, in the center's order.

They are the `categories: agent_categories` of the site config (Settings.categories, the agent
desk's categories section); a config without that section has the center's default list below,
the same default that section has.
"""

from __future__ import annotations

from collections.abc import Mapping

from hotline.settings import Settings

DEFAULT_AGENT_CATEGORIES: Mapping[str, str] = {
    "consultation": "业务咨询",
    "information_query": "信息查询",
    "fault_repair": "故障报修",
    "new_connection": "电话报装",
    "complaint": "投诉举报",
    "theft_report": "违窃举报",
    "other": "其他",
}


def agent_categories(settings: Settings) -> dict[str, str]:
    """The configured agent categories (key -> label), or the default list."""
    section = getattr(settings, "categories", None)  # absent until the categories section exists
    configured = getattr(section, "agent_categories", None)
    if isinstance(configured, Mapping) and configured:
        return {str(key): str(label) for key, label in configured.items()}
    return dict(DEFAULT_AGENT_CATEGORIES)
