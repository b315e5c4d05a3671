"""The weekly draw: ISO weeks of the local calendar, a sample that depends only on the week, the
agent and the set of candidates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.quality.draw import BadWeek, draw, has_ended, last_ended_week, monday_of, sample, shift, week_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS = [f"17645{i:05d}.{i}" for i in range(40)]


def test_iso_weeks():
    assert week_of(date(2026, 11, 23)) == "2026-W48"
    assert week_of(date(2027, 1, 1)) == "2026-W53"  # a Friday: still 2026's last ISO week
    assert monday_of("2026-W53") == date(2026, 12, 28)
    assert shift("2026-W53", 1) == "2027-W01" and shift("2027-W01", -1) == "2026-W53"


@pytest.mark.parametrize(
    "bad",
    ["2026-W54", "2025-W53", "9999-W52", "1969-W10", "2026-48", "2026W48", "2026-W4", "", "２０２６-W48"],
)
def test_a_bad_week_is_refused(bad):
    with pytest.raises(BadWeek):
        monday_of(bad)


def test_the_week_ends_at_local_midnight_on_monday():
    sunday_night = datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC)  # 23:59:59 local
    monday = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # 2026-11-30 00:00 local
    assert not has_ended("2026-W48", sunday_night, SHANGHAI) and has_ended("2026-W48", monday, SHANGHAI)
    assert last_ended_week(sunday_night, SHANGHAI) == "2026-W47"
    assert last_ended_week(monday, SHANGHAI) == "2026-W48"


def test_a_sample_is_n_of_the_candidates_and_stable():
    got = sample("2026-W48", "001", CALLS, 5)
    assert len(got) == 5 and set(got) <= set(CALLS) and got == sorted(got)
    assert sample("2026-W48", "001", list(reversed(CALLS)) + CALLS[:3], 5) == got  # order, repeats
    assert sample("2026-W48", "002", CALLS, 5) != got or sample("2026-W49", "001", CALLS, 5) != got
    assert sample("2026-W48", "001", CALLS[:3], 5) == sorted(CALLS[:3])  # fewer: all of them


def test_weeks_and_agents_draw_differently():
    samples = {tuple(sample(f"2026-W{w:02d}", a, CALLS, 3)) for w in range(1, 11) for a in ("001", "002")}
    assert len(samples) > 15  # not the same calls every week


def test_draw_per_agent():
    picked = draw("2026-W48", {"002": CALLS[:2], "001": CALLS, "003": []}, 3)
    assert list(picked) == ["001", "002"] and picked["002"] == sorted(CALLS[:2]) and len(picked["001"]) == 3
    with pytest.raises(ValueError, match="at least 1"):
        sample("2026-W48", "001", CALLS, 0)
