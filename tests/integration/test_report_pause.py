"""Per-agent logged-in and pause time (pause.py, pause_query.py), on SQLite and PostgreSQL.

The agent_state rows have the ACD's shape (data {from, to, agent_id}; keyed by the call the agent
was busy with, else "agent-<工号>"). Expected seconds are counted by hand from the table below;
all times are Asia/Shanghai, the report day is 2026-11-23.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from report_day import SHANGHAI, at
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.reports.period import Period, day_period, month_period
from hotline.reports.stats import compute_stats
from hotline.store.models import CallEvent

DAY = day_period(date(2026, 11, 23), SHANGHAI)
AGENTS = [("001", "座席一"), ("002", None), ("003", None), ("004", "新人")]
H = 3600.0


def change(agent: str, local: str, frm: str, to: str, call: str | None = None) -> dict:
    return {
        "call_uniqueid": call or f"agent-{agent}",
        "at": at(local),
        "kind": "agent_state",
        "data": {"from": frm, "to": to, "agent_id": agent},
    }


ROWS = [
    # 001: logged out at the start; a no-answer pause (keyed by the call), break then meeting, a
    # logout and login, and a break across midnight
    change("001", "2026-11-22 08:00:00", "logged_out", "ready"),
    change("001", "2026-11-22 18:00:00", "ready", "logged_out"),
    change("001", "2026-11-23 08:00:00", "logged_out", "ready"),
    change("001", "2026-11-23 09:00:00", "ready", "ringing", "c1"),
    change("001", "2026-11-23 09:00:12", "ringing", "paused(no answer)", "c1"),
    change("001", "2026-11-23 09:05:12", "paused(no answer)", "ready"),  # no answer 300 s
    change("001", "2026-11-23 10:00:00", "ready", "ringing", "c2"),
    change("001", "2026-11-23 10:00:05", "ringing", "talking", "c2"),
    change("001", "2026-11-23 10:03:20", "talking", "wrap_up", "c2"),
    change("001", "2026-11-23 10:03:20", "wrap_up", "paused(break)", "c2"),  # same instant: id order
    change("001", "2026-11-23 10:18:20", "paused(break)", "paused(meeting)"),  # break 900 s
    change("001", "2026-11-23 10:48:20", "paused(meeting)", "ready"),  # meeting 1800 s
    change("001", "2026-11-23 17:00:00", "ready", "logged_out"),
    change("001", "2026-11-23 18:00:00", "logged_out", "ready"),
    change("001", "2026-11-23 23:30:00", "ready", "paused(break)"),  # 1800 s on the 23rd
    change("001", "2026-11-24 00:20:00", "paused(break)", "ready"),  # 1200 s on the 24th
    change("001", "2026-11-24 08:00:00", "ready", "logged_out"),
    # 002: paused since the evening before; a pause still open at the end of the day
    change("002", "2026-11-22 22:00:00", "logged_out", "ready"),
    change("002", "2026-11-22 22:10:00", "ready", "ringing", "c0"),
    change("002", "2026-11-22 22:10:05", "ringing", "talking", "c0"),
    change("002", "2026-11-22 22:12:00", "talking", "wrap_up", "c0"),
    change("002", "2026-11-22 22:12:15", "wrap_up", "ready", "c0"),
    change("002", "2026-11-22 22:30:00", "ready", "paused(training)"),
    change("002", "2026-11-23 01:00:00", "paused(training)", "ready"),  # 3600 s on the 23rd
    change("002", "2026-11-23 20:00:00", "ready", "paused(other)"),  # open: until the end or now
    # 003: a logout while paused; logged-out time is neither pause nor logged-in time. Its
    # last change before the day: pause and logout in the same instant (the logout is later)
    change("003", "2026-11-22 09:00:00", "logged_out", "ready"),
    change("003", "2026-11-22 17:00:00", "ready", "paused(break)"),
    change("003", "2026-11-22 17:00:00", "paused(break)", "logged_out"),
    change("003", "2026-11-23 09:00:00", "logged_out", "ready"),
    change("003", "2026-11-23 10:00:00", "ready", "paused(break)"),
    change("003", "2026-11-23 10:30:00", "paused(break)", "logged_out"),  # break 1800 s
    change("003", "2026-11-23 15:00:00", "logged_out", "ready"),
    change("003", "2026-11-23 16:00:00", "ready", "logged_out"),
    # 009: not configured (any more), but paused on the day: listed, logged in since the 22nd; its
    # last change before the day is a no-answer pause logged under the call, after its login
    change("009", "2026-11-22 07:00:00", "logged_out", "ready"),
    change("009", "2026-11-22 23:50:00", "ready", "ringing", "c9"),
    change("009", "2026-11-22 23:50:12", "ringing", "paused(no answer)", "c9"),
    change("009", "2026-11-23 00:10:12", "paused(no answer)", "ready"),  # no answer 612 s on the 23rd
    change("009", "2026-11-23 14:00:00", "ready", "paused(break)"),
    change("009", "2026-11-23 14:10:00", "paused(break)", "ready"),  # break 600 s
    # other kinds are not state changes
    {"call_uniqueid": "c1", "at": at("2026-11-23 09:00:00"), "kind": "offer", "data": {"agent_id": "001"}},
    {
        "call_uniqueid": "agent-003",
        "at": at("2026-11-23 11:00:00"),
        "kind": "agent_registration",
        "data": {"registered": False, "agent_id": "003"},
    },
]


@pytest.fixture
async def engine(engine: AsyncEngine) -> AsyncEngine:
    """The shared migrated store (tests/conftest.py) holding ROWS."""
    async with engine.begin() as conn:
        for row in ROWS:  # one by one: ids in this order on both databases (same-instant rows)
            await conn.execute(insert(CallEvent), row)
    return engine


async def times(engine: AsyncEngine, period: Period = DAY, now: datetime | None = None) -> dict:
    stats = await compute_stats(engine, period, agents=AGENTS, now=now)
    return {a.agent_id: (a.logged_in_s, a.paused_s, dict(a.paused_by_reason)) for a in stats.agents}


async def test_a_finished_day(engine):
    assert await times(engine) == {
        "001": (
            9 * H + 6 * H,
            300 + 900 + 1800 + 1800.0,
            {"no answer": 300.0, "break": 2700.0, "meeting": 1800.0},
        ),
        "002": (24 * H, 1 * H + 4 * H, {"training": 1 * H, "other": 4 * H}),
        "003": (1.5 * H + 1 * H, 1800.0, {"break": 1800.0}),
        "004": (0.0, 0.0, {}),
        "009": (24 * H, 612 + 600.0, {"no answer": 612.0, "break": 600.0}),
    }


async def test_a_day_in_progress_counts_until_now(engine):
    now = at("2026-11-23 21:30:00")
    assert await times(engine, now=now) == {
        "001": (9 * H + 3.5 * H, 300 + 900 + 1800.0, {"no answer": 300.0, "break": 900.0, "meeting": 1800.0}),
        "002": (21.5 * H, 1 * H + 1.5 * H, {"training": 1 * H, "other": 1.5 * H}),
        "003": (2.5 * H, 1800.0, {"break": 1800.0}),
        "004": (0.0, 0.0, {}),
        "009": (21.5 * H, 1212.0, {"no answer": 612.0, "break": 600.0}),
    }
    assert await times(engine, now=at("2026-11-25 12:00:00")) == await times(engine)  # the day is over


async def test_a_day_not_begun_has_no_time(engine):
    rows = await times(engine, now=at("2026-11-22 12:00:00"))
    assert rows == {agent_id: (0.0, 0.0, {}) for agent_id, _ in AGENTS}


async def test_the_pause_across_midnight_goes_on_the_next_day(engine):
    rows = await times(engine, day_period(date(2026, 11, 24), SHANGHAI))
    assert rows["001"] == (8 * H, 1200.0, {"break": 1200.0})
    assert rows["002"] == (24 * H, 24 * H, {"other": 24 * H})  # paused all day: since 20:00 on the 23rd
    assert rows["003"] == (0.0, 0.0, {})
    assert "009" not in rows  # not configured and no pause, login or logout that day


async def test_days_add_up_to_the_month(engine):
    month = await times(engine, month_period(2026, 11, SHANGHAI))
    # 002: training 22:30 on the 22nd .. 01:00; other from 20:00 on the 23rd to the month's end
    assert month["002"] == (
        2 * H + 8 * 24 * H,
        2.5 * H + 4 * H + 7 * 24 * H,
        {"training": 2.5 * H, "other": 4 * H + 7 * 24 * H},
    )
    days = [await times(engine, day_period(date(2026, 11, d), SHANGHAI)) for d in range(1, 31)]
    for agent_id in ("001", "002", "003", "004"):
        total = [sum(day[agent_id][i] for day in days) for i in (0, 1)]
        assert total == [month[agent_id][0], month[agent_id][1]], agent_id


async def test_a_bad_state_label_is_an_error_naming_the_row(engine):
    async with engine.begin() as conn:
        await conn.execute(insert(CallEvent), change("002", "2026-11-23 12:00:00", "ready", "paused"))
    with pytest.raises(ValueError, match=r"call_events row \d+: agent_state 'to' is 'paused'"):
        await times(engine)


async def test_a_naive_now_is_refused(engine):
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        await times(engine, now=datetime(2026, 11, 23, 12, 0))
