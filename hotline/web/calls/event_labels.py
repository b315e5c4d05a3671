"""Chinese text for each kind of call event (call_events.kind, data as logged)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hotline.recordings.sources import PURPOSES
from hotline.web.live.board import REASON_LABELS, STATE_LABELS

IVR_KEYS = {
    "": "进入",
    "timeout": "未按键（超时）",
    "bad_entry": "输入无效",
    "entry": "输入完毕",
    "recorded": "录音完毕",
    "hangup": "挂机",
    "*": "按 * 返回",
}
PHASES = {"queue": "排队中", "ringing": "振铃中"}


@dataclass(frozen=True)
class Names:
    """Names for ids: the menu's nodes (id -> label), the agents (工号 -> name), the site's
    categories (key -> label)."""

    nodes: Mapping[str, str] = field(default_factory=dict)
    agents: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)

    def category(self, key: object, missing: str = "未分类") -> str:
        text = str(key) if key else ""
        return self.categories.get(text) or text or missing

    def node(self, node_id: object) -> str:
        text = str(node_id)
        return self.nodes.get(text) or text

    def agent(self, agent_id: object) -> str:
        if agent_id is None:
            return "座席"
        name = self.agents.get(str(agent_id))
        return f"座席 {agent_id}" + (f" {name}" if name else "")


def _seconds(value: object) -> str:
    return f"{value:.0f} 秒" if isinstance(value, int | float) else "—"


def _ivr(d: Mapping[str, Any], n: Names) -> str:
    key = str(d.get("key", ""))
    what = IVR_KEYS.get(key, f"按键 {key}")
    return f"菜单「{n.node(d.get('node'))}」{what}"


def _queued(d: Mapping[str, Any], n: Names) -> str:
    category = n.category(d.get("category"))
    vip = "，优先" if isinstance(d.get("priority"), int) and d["priority"] > 0 else ""
    return f"转人工排队（{category}{vip}）"


def _state(d: Mapping[str, Any], n: Names) -> str:
    def label(value: object) -> str:
        text = str(value)
        if text.startswith("paused(") and text.endswith(")"):
            reason = text[len("paused(") : -1]
            return f"暂停（{REASON_LABELS.get(reason, reason)}）"
        return STATE_LABELS.get(text, text)

    return f"{n.agent(d.get('agent_id'))} 状态 {label(d.get('from'))} → {label(d.get('to'))}"


def _survey(d: Mapping[str, Any], n: Names) -> str:
    if "score" in d:
        return f"满意度评价 {d['score']} 分（1-5）"
    return f"菜单满意度调查「{n.node(d.get('node'))}」按键 {d.get('key')}"


def _recorded(d: Mapping[str, Any], n: Names) -> str:
    purpose = PURPOSES.get(str(d.get("purpose")), "录音")
    return f"来电者录音：{purpose}（{_seconds(d.get('seconds'))}）"


def _disposition(d: Mapping[str, Any], n: Names) -> str:
    category = n.category(d.get("category"))
    note = f"：{d['note']}" if d.get("note") else ""
    return f"{n.agent(d.get('agent_id'))} 话后小结（{category}）{note}"


Label = Callable[[Mapping[str, Any], Names], str]
EVENT_LABELS: dict[str, Label] = {
    "ivr_step": _ivr,
    "queued": _queued,
    "offer": lambda d, n: (
        f"分配给 {n.agent(d.get('agent_id'))}（第 {d.get('attempt')} 次，已等待 {_seconds(d.get('wait_s'))}）"
    ),
    "ring": lambda d, n: f"{n.agent(d.get('agent_id'))} 振铃",
    "answer": lambda d, n: f"{n.agent(d.get('agent_id'))} 接听（振铃 {_seconds(d.get('ring_s'))}）",
    "no_answer": lambda d, n: f"{n.agent(d.get('agent_id'))} 未接听（振铃 {_seconds(d.get('ring_s'))}）",
    "busy": lambda d, n: f"{n.agent(d.get('agent_id'))} 忙",
    "unavailable": lambda d, n: f"{n.agent(d.get('agent_id'))} 不可用",
    "abandon": lambda d, n: (
        f"来电者放弃（{PHASES.get(str(d.get('phase')), '排队中')}，等待 {_seconds(d.get('wait_s'))}）"
    ),
    "message_left": lambda d, n: "来电者排队时留言",
    "callback_requested": lambda d, n: "来电者预约回呼",
    "call_end": lambda d, n: f"通话结束（通话 {_seconds(d.get('talk_s'))}）",
    "agent_state": _state,
    "survey": _survey,
    "recorded": _recorded,
    "dialer_key": lambda d, n: f"外呼按键 {d.get('key')}",
    "disposition": _disposition,
}
