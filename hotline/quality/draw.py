"""The weekly draw of calls for review: pure (no I/O, no clock).

A week is an ISO week of the center's local calendar ("2026-W48": Monday 00:00 to the next
Monday 00:00, local time). A week is drawn once it has ended, so every call of it could be drawn.
Per agent, `n` calls are sampled from that agent's candidates (answered, recorded calls of the
week, sorted by uniqueid) with a random generator seeded by the week and the 工号: the same
candidates always give the same sample (a re-draw, or two supervisors drawing at once, agree),
while no one can tell which calls of a week will be drawn before the week is over.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.store.utc_datetime import require_aware

WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
FIRST_YEAR, LAST_YEAR = 1970, 2999  # as the reports: every week and its neighbours are dates


class BadWeek(ValueError):
    """Not an ISO week such as 2026-W48; the message is for the supervisor (Chinese)."""


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def monday_of(week: str) -> date:
    """The Monday of an ISO week "YYYY-Www"; BadWeek for anything else."""
    m = WEEK.fullmatch(week)
    if m is None:
        raise BadWeek(f"周 “{week[:20]}” 无效：应为 ISO 周，如 2026-W48")
    year = int(m.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadWeek(f"周 “{week[:20]}” 超出范围（{FIRST_YEAR}–{LAST_YEAR} 年）")
    try:
        return date.fromisocalendar(year, int(m.group(2)), 1)
    except ValueError:
        raise BadWeek(f"周 “{week[:20]}” 不存在") from None


def week_bounds(week: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the week in local time, as aware datetimes."""
    monday = monday_of(week)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    return start, datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)


def shift(week: str, weeks: int) -> str:
    """The ISO week `weeks` after (or before) `week`."""
    return week_of(monday_of(week) + timedelta(days=7 * weeks))


def last_ended_week(now: datetime, tz: ZoneInfo) -> str:
    """The latest week that is over at `now` (last week, in local time)."""
    today = require_aware(now, "now").astimezone(tz).date()
    return week_of(today - timedelta(days=7))


def has_ended(week: str, now: datetime, tz: ZoneInfo) -> bool:
    return week_bounds(week, tz)[1] <= require_aware(now, "now")


def _seed(week: str, agent_id: str) -> int:
    digest = hashlib.sha256(f"hotline-quality/{week}/{agent_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def sample(week: str, agent_id: str, candidates: Sequence[str], n: int) -> list[str]:
    """`n` of the agent's candidate calls (all of them if fewer), in uniqueid order."""
    if n < 1:
        raise ValueError(f"calls per agent must be at least 1, got {n}")
    pool = sorted(set(candidates))
    if len(pool) <= n:
        return pool
    return sorted(random.Random(_seed(week, agent_id)).sample(pool, n))


def draw(week: str, candidates: Mapping[str, Sequence[str]], n: int) -> dict[str, list[str]]:
    """agent -> the calls drawn for review, for every agent with candidates."""
    monday_of(week)
    return {agent: sample(week, agent, calls, n) for agent, calls in sorted(candidates.items()) if calls}
