"""Erlang C staffing advice for this hour and the next, from today's live traffic (acd.erlang).

- this hour: the calls that joined the agents' queue in the last 60 minutes (DayFigures'
  rolling count, O(1)) taken as the hourly rate;
- next hour: the larger of that rate and the offered calls of the next local hour on the same
  weekday last week (live_load.load_hourly), so a known rush is staffed before it starts and a
  busier-than-usual day is not under-staffed. At 23:xx the "next hour" of last week is its hour 0
  of the same weekday (the day after is not loaded);
- handle time: today's average talk time of answered calls (or `default_aht_s` before anything
  was answered, or if the talk times sum to 0) plus `wrap_up_s` (the store keeps no wrap-up);
- the fewest agents answering `goal` (0.8) of the calls within the answer target (12 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from acd.erlang import agents_needed, offered_traffic
from hotline.reports.figures import Counts
from hotline.reports.live_day import DayFigures
from hotline.store.utc_datetime import require_aware

HOUR_S = 3600.0
DEFAULT_AHT_S = 180.0


@dataclass(frozen=True)
class HourAdvice:
    hour: int  # local hour of the day, 0..23
    calls: float  # calls per hour the advice is for
    aht_s: float  # handle time used (talk + wrap-up)
    erlangs: float  # offered traffic
    agents_needed: int  # fewest agents reaching the goal (0 without calls)


def _advice(hour: int, calls: float, aht_s: float, target_s: float, goal: float) -> HourAdvice:
    erlangs = offered_traffic(calls, HOUR_S, aht_s)
    return HourAdvice(hour, calls, aht_s, erlangs, agents_needed(erlangs, aht_s, target_s, goal))


def handle_time(today: Counts, default_aht_s: float, wrap_up_s: float) -> float:
    """Today's average talk time (or the default) plus the wrap-up."""
    talk = today.aht_s
    return (talk if talk is not None and talk > 0 else default_aht_s) + wrap_up_s


def staffing_advice(
    figures: DayFigures,
    now: datetime,
    last_week: Sequence[Counts],
    *,
    default_aht_s: float = DEFAULT_AHT_S,
    wrap_up_s: float = 0.0,
    goal: float = 0.8,
) -> tuple[HourAdvice, HourAdvice]:
    """(this hour, next hour) at `now` (aware). `last_week` = Counts per local hour 0..23 of the
    same weekday last week (load_hourly). Raises ValueError on a bad argument."""
    require_aware(now, "now")
    if len(last_week) != 24:
        raise ValueError(f"last_week needs the 24 hours of a day, got {len(last_week)}")
    if not 0 < default_aht_s < 86400 or not 0 <= wrap_up_s < 86400:
        raise ValueError(
            "default_aht_s must be in (0, 86400) and wrap_up_s in [0, 86400), "
            f"got {default_aht_s!r} and {wrap_up_s!r}"
        )
    if not 0 < goal < 1:
        raise ValueError(f"service-level goal must be strictly between 0 and 1 (e.g. 0.8), got {goal!r}")
    hour = now.astimezone(figures.period.tz).hour
    rate = float(figures.queued_last_hour(now))
    aht = handle_time(figures.center, default_aht_s, wrap_up_s)
    target = figures.thresholds.answer_target_s
    following = (hour + 1) % 24
    return (
        _advice(hour, rate, aht, target, goal),
        _advice(following, max(rate, float(last_week[following].offered)), aht, target, goal),
    )
