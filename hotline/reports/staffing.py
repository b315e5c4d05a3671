"""Staffing advice: agents needed per hour of the day, by Erlang C (acd.erlang), from the
measured traffic of the period.

For each local hour: the offered calls (those that asked for an agent) per day on average and
on the busiest day of the period in that hour, the measured handle time (talk time of the
hour's answered calls, or of the whole period if the hour had none, plus an optional wrap-up),
and the fewest agents answering `goal` of the calls within the answer target. The store keeps
no wrap-up time, so with wrap_up_s = 0 the advice is a lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from acd.erlang import agents_needed, offered_traffic
from hotline.reports.stats import Stats

HOUR_S = 3600.0


@dataclass(frozen=True)
class StaffingRow:
    hour: int  # local hour of the day, 0..23
    offered_per_day: float  # mean offered calls in this hour per day of the period
    peak_offered: int  # offered calls in this hour on the busiest day
    aht_s: float | None  # handle time used (None: nothing answered in the whole period)
    traffic_erlangs: float | None  # of the mean
    agents_needed: int | None  # for the mean traffic (None: no handle time to work with)
    agents_needed_peak: int | None  # for the busiest day's traffic


def _agents(calls: float, aht_s: float | None, target_s: float, goal: float) -> int | None:
    if calls == 0:
        return 0
    if aht_s is None:
        return None
    return agents_needed(offered_traffic(calls, HOUR_S, aht_s), aht_s, target_s, goal)


def staffing(stats: Stats, goal: float = 0.8, wrap_up_s: float = 0.0) -> list[StaffingRow]:
    """One row per hour 0..23 for `stats`' period; `goal` e.g. 0.8 = 80 % within the target."""
    if not 0 < goal < 1:
        raise ValueError(f"service-level goal must be strictly between 0 and 1 (e.g. 0.8), got {goal!r}")
    if wrap_up_s < 0:
        raise ValueError(f"wrap-up must be >= 0 seconds, got {wrap_up_s!r}")
    days = len(stats.period.days)
    target = stats.thresholds.answer_target_s
    overall = stats.center.aht_s
    peaks = {h: 0 for h in range(24)}
    for (_day, hour), counts in stats.by_day_hour.items():
        peaks[hour] = max(peaks[hour], counts.offered)
    rows = []
    for hour, counts in stats.by_hour:
        talk = counts.aht_s if counts.aht_s is not None else overall
        aht = None if talk is None else talk + wrap_up_s
        if aht is not None and aht <= 0:
            aht = None  # answered calls with no talk time at all: nothing to size agents by
        mean = counts.offered / days
        rows.append(
            StaffingRow(
                hour,
                mean,
                peaks[hour],
                aht,
                None if aht is None else offered_traffic(mean, HOUR_S, aht),
                _agents(mean, aht, target, goal),
                _agents(peaks[hour], aht, target, goal),
            )
        )
    return rows
