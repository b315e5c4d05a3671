"""The prompt catalog: which prompt ids exist and what each says."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
RECORDED_DIR = Path(__file__).with_name("recorded")
_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


class CatalogError(ValueError):
    pass


def load_catalog(path: Path = CATALOG_FILE, *, company: str) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: must map prompt ids to texts")
    out: dict[str, str] = {}
    for pid, text in data.items():
        if not isinstance(pid, str) or not _ID.fullmatch(pid):
            raise CatalogError(f"{path}: bad prompt id {pid!r} (lower-case letters, digits, _)")
        if not isinstance(text, str) or not text.strip():
            raise CatalogError(f"{path}: prompt {pid} has no text")
        out[pid] = text.replace("{company}", company)
    return out


# What the agent hears when a call connects (Dial option A): the business category the caller
# chose, and an apology reminder when the caller waited longer than the answer target.
CATEGORY_NAMES = {
    "outage_query": "停电查询",
    "bill_query": "电费查询",
    "fault_repair": "故障报修",
    "complaint": "投诉",
    "policy": "政策咨询",
    "business": "业务办理",
    "consultation": "业务咨询",
    "information_query": "信息查询",
    "new_connection": "新装用电",
    "theft_report": "窃电举报",
    "survey": "满意度评价",
    "message": "留言",
    "other": "其他",
}


def site_catalog(*, company: str, agent_ids: list[str], path: Path = CATALOG_FILE) -> dict[str, str]:
    """The catalog plus the prompts made from the site config: "座席{工号}为您服务" per agent,
    and the agent-side whisper per business category (with an apology variant)."""
    out = load_catalog(path, company=company)
    for aid in agent_ids:
        out[f"agent_intro_{aid}"] = f"座席{'、'.join(aid)}为您服务。"
    for cat, name in CATEGORY_NAMES.items():
        out[f"whisper_{cat}"] = f"来电业务:{name}。"
        out[f"whisper_late_{cat}"] = f"客户已等待较久,请先致歉。来电业务:{name}。"
    return out
