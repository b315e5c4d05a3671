"""The wallboard's alerts, decided in one place (pure): what is wrong now, red or amber.

- service level under goal over the last 30 minutes (answered calls whose answer fell in them);
- a caller waiting longer than the limit;
- an agent paused "no answer" (the ACD paused them after 4 rings unanswered);
- peak mode on; AMI or the database disconnected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from acd.agents import AgentView
from acd.call_steps import NO_ANSWER
from hotline.reports.live_window import RecentLevel
from hotline.web.live.calls import LiveCall


@dataclass(frozen=True)
class Alert:
    level: str  # red | amber
    text: str


@dataclass(frozen=True)
class Health:
    ami_connected: bool | None  # None: the daemon runs without AMI
    database_reachable: bool
    peak_reason: str | None


def alerts(
    *,
    now: datetime,
    waiting: Iterable[LiveCall],
    agents: Iterable[AgentView],
    recent: RecentLevel,  # answers in the last 30 minutes, and within the target
    goal: float,
    wait_limit_s: float,
    health: Health,
) -> list[Alert]:
    out: list[Alert] = []
    if not health.database_reachable:
        out.append(Alert("red", "数据库连接中断：通话记录暂存本机，恢复后补写"))
    if health.ami_connected is False:
        out.append(Alert("red", "AMI 连接中断：座席注册与接听时间暂不可知"))
    level = recent.service_level
    if level is not None and level < goal:
        out.append(Alert("red", f"近30分钟服务水平 {level:.0%}，低于目标 {goal:.0%}"))
    over = [
        c for c in waiting if c.queued_at is not None and (now - c.queued_at).total_seconds() > wait_limit_s
    ]
    if over:
        out.append(Alert("red", f"{len(over)} 位客户等待超过 {wait_limit_s:.0f} 秒"))
    for agent in agents:
        if agent.state == "paused" and agent.reason == NO_ANSWER:
            out.append(Alert("amber", f"座席 {agent.agent_id} 振铃未接，已被置为暂停"))
    if health.peak_reason is not None:
        out.append(Alert("amber", f"高峰模式已开启：{health.peak_reason}"))
    return out
