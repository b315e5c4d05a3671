"""Today's figures for the wallboard, kept incrementally from what the call recorder writes.

`DayFigures.apply(item)` takes the recorder's items (hotline.store.batch: Start, End, Event)
exactly as the store is asked to write them, in O(1) each, and keeps what `hotline report --day`
computes for the same day: the center's inbound Counts (live_classify.call_counts), per local
hour, per agent (answered, talk and survey of the calls they answered; offer / no_answer events
counted by the event's own time, like stats.py), and outbound outcomes. A call counts on the
local day it STARTED (period.py): an open call is inbound + in_progress until its End replaces
its contribution by the final row's. Calls of other days are left alone, as the report does.
A second start or end of a call is ignored (the store keeps the first, batch.py).

Rolling windows, independent of the day (they cross midnight):
- answers in the last `window` (ACD `answer` events: the answer's time, data.wait_s = the
  wait from queueing), for the alert "service level under goal in the last 30 min". The answer
  event is used rather than the call's end so that a call counts when it is answered, not
  minutes later when it hangs up;
- calls queued for an agent in the last hour (ACD `queued` events), the hourly rate for the
  staffing advice (live_advice.py).

Pure: no I/O, no clock; `now` comes from the caller. Items of a later day (a Start or an event
at or after the period's end) roll the figures to that day first (`roll_to`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hotline.reports.figures import Counts, Thresholds
from hotline.reports.live_classify import agent_of_event, call_counts, is_answered, minus, wait_s
from hotline.reports.live_records import AgentDay, DaySoFar, data_number
from hotline.reports.live_window import RecentLevel, Window
from hotline.reports.period import Period, day_period
from hotline.reports.queries import OFFER_KINDS
from hotline.reports.slot_query import ABANDONED
from hotline.reports.sql_time import EPSILON_S
from hotline.reports.stats import IN_PROGRESS, OUTBOUND_OUTCOMES, AgentRow
from hotline.store.batch import End, Event, Item, Start

Row = Mapping[str, Any]
HOUR = timedelta(hours=1)


class DayFigures:
    """The figures of one local day (a day Period), fed with the recorder's items."""

    def __init__(
        self,
        period: Period,
        thresholds: Thresholds,
        agents: Sequence[tuple[str, str | None]] = (),
        *,
        window: timedelta = timedelta(minutes=30),
    ) -> None:
        if period.kind != "day":
            raise ValueError(f"DayFigures needs a day period, got a {period.kind} period ({period.label})")
        self.thresholds = thresholds
        self.names = dict(agents)
        self.answers = Window(window)
        self.queued = Window(HOUR)
        self.period = period
        self._reset(period)

    def _reset(self, period: Period) -> None:
        self.period = period
        self._center = Counts()
        self._hours: dict[int, Counts] = {h: Counts() for h in range(24)}
        self._agents: dict[str, AgentDay] = {}
        self.outbound_outcomes: dict[str, int] = dict.fromkeys((*OUTBOUND_OUTCOMES, IN_PROGRESS), 0)
        self.outbound_talk_s = 0.0
        self.longest_wait_s: float | None = None
        self._open: dict[str, dict[str, Any]] = {}  # uniqueid -> start row, calls of the day
        self._seen: set[str] = set()  # every call of the day started here or loaded

    # ----- the day -----

    def roll_to(self, period: Period) -> None:
        """Start a new day: its figures are empty, calls started before it no longer count (their
        ends are ignored); the rolling windows go on."""
        if period.kind != "day":
            raise ValueError(f"DayFigures needs a day period, got a {period.kind} period ({period.label})")
        self._reset(period)

    def advance(self, now: datetime) -> None:
        """Roll to the day of `now` if it is past this day (call it from a periodic tick)."""
        if now >= self.period.end:
            self.roll_to(day_period(now.astimezone(self.period.tz).date(), self.period.tz))

    def in_day(self, when: datetime | None) -> bool:
        return when is not None and self.period.start <= when < self.period.end

    # ----- items -----

    def apply(self, item: Item) -> None:
        """One recorder item (Start, End or Event), O(1)."""
        if isinstance(item, Start):
            self._start(item.values)
        elif isinstance(item, End):
            self._end(item.uniqueid, item.values)
        elif isinstance(item, Event):
            self._event(item.values)
        else:
            raise TypeError(f"not a recorder item: {type(item).__name__}")

    def _start(self, row: Row) -> None:
        self.advance(row["started_at"])
        uid = row["uniqueid"]
        if uid in self._seen or not self.in_day(row["started_at"]):
            return
        self._seen.add(uid)
        if row.get("outcome") is None:
            self._open[uid] = dict(row)
        self._contribute(row, +1)

    def _end(self, uid: str, values: Row) -> None:
        start = self._open.pop(uid, None)
        if start is None:
            return  # another day's call, or an end of an ended call (the store keeps the first)
        self._contribute(start, -1)
        self._contribute({**start, **values}, +1)

    def _contribute(self, row: Row, sign: int) -> None:
        """Add (sign +1) or take back (-1) a call row's part of the figures."""
        if not self.in_day(row.get("started_at")):
            return
        if row.get("direction") == "outbound":
            key = row.get("outcome") or IN_PROGRESS
            self.outbound_outcomes[key] = self.outbound_outcomes.get(key, 0) + sign
            if (talk := row.get("talk_s")) is not None:
                self.outbound_talk_s += sign * float(talk)
            return
        if row.get("direction") != "inbound":
            return
        counts = call_counts(row, self.thresholds)
        hour = row["started_at"].astimezone(self.period.tz).hour
        if sign > 0:
            self._center = self._center + counts
            self._hours[hour] = self._hours[hour] + counts
        else:
            self._center = minus(self._center, counts)
            self._hours[hour] = minus(self._hours[hour], counts)
        self._agent_call(row, sign)
        if sign > 0:
            self._note_wait(row)

    def _agent_call(self, row: Row, sign: int) -> None:
        agent_id = row.get("agent_id")
        if agent_id is None or not is_answered(row):
            return
        a = self._agent(agent_id)
        a.answered += sign
        if (talk := row.get("talk_s")) is not None:
            a.talk_n += sign
            a.talk_sum_s += sign * float(talk)
        if (survey := row.get("survey_score")) is not None:
            a.survey_n += sign
            a.survey_sum += sign * int(survey)

    def _note_wait(self, row: Row) -> None:
        """The longest wait of the day: answered (queue to answer) or abandoned (queue to hang-up)."""
        if is_answered(row):
            wait = wait_s(row.get("talk_started_at"), row.get("queued_at"))
        elif row.get("outcome") in ABANDONED:
            wait = wait_s(row.get("ended_at"), row.get("queued_at"))
        else:
            return
        if wait is not None and (self.longest_wait_s is None or wait > self.longest_wait_s):
            self.longest_wait_s = wait

    def _agent(self, agent_id: str) -> AgentDay:
        a = self._agents.get(agent_id)
        if a is None:
            a = self._agents[agent_id] = AgentDay()
        return a

    def _event(self, values: Row) -> None:
        at: datetime = values["at"]
        self.advance(at)
        kind = values["kind"]
        if kind in OFFER_KINDS and self.in_day(at) and (agent_id := agent_of_event(values)) is not None:
            a = self._agent(agent_id)
            if kind == "offer":
                a.offered += 1
            else:
                a.no_answer += 1
        elif kind == "answer":
            self.note_answer(at, data_number(values.get("data"), "wait_s"))
        elif kind == "queued":
            self.note_queued(at)

    def note_answer(self, at: datetime, waited_s: float | None) -> None:
        """An agent answered at `at` after `waited_s` in the queue (None: unknown, not within)."""
        within = waited_s is not None and waited_s <= self.thresholds.answer_target_s + EPSILON_S
        self.answers.add(at, within)

    def note_queued(self, at: datetime) -> None:
        """A call joined the agents' queue at `at`."""
        self.queued.add(at, True)

    # ----- figures -----

    @property
    def center(self) -> Counts:
        return self._center

    @property
    def by_hour(self) -> list[tuple[int, Counts]]:
        """(local hour 0..23, Counts of the calls that started in it), like Stats.by_hour."""
        return list(self._hours.items())

    @property
    def agents(self) -> list[AgentRow]:
        """A row per configured agent and per agent met today, by 工号 (times are the ACD's, 0 here)."""
        rows = []
        for agent_id in sorted(set(self.names) | set(self._agents)):
            a = self._agents.get(agent_id, AgentDay())
            rows.append(
                AgentRow(
                    agent_id,
                    self.names.get(agent_id),
                    a.offered,
                    a.no_answer,
                    a.answered,
                    a.talk_n,
                    a.talk_sum_s,
                    a.survey_n,
                    a.survey_sum,
                )
            )
        return rows

    def restore(self, so_far: DaySoFar) -> None:
        """Take the loaded figures of this day (replacing the day's; the windows get the loaded
        answers and arrivals added)."""
        self._reset(self.period)
        self._center = so_far.center
        for hour, counts in so_far.by_hour.items():
            self._hours[hour] = counts
        self._agents = {agent_id: replace(day) for agent_id, day in so_far.agents.items()}
        self.outbound_outcomes.update(so_far.outbound_outcomes)
        self.outbound_talk_s = so_far.outbound_talk_s
        self.longest_wait_s = so_far.longest_wait_s
        for row in so_far.open_calls:
            self._open[row["uniqueid"]] = dict(row)
            self._seen.add(row["uniqueid"])
        for at, waited in so_far.answers:
            self.note_answer(at, waited)
        for at in so_far.queued:
            self.note_queued(at)

    def recent_service_level(self, now: datetime) -> RecentLevel:
        """Answers in the window before `now` and how many within the answer target."""
        return RecentLevel(*self.answers.count(now))

    def queued_last_hour(self, now: datetime) -> int:
        """Calls that joined the agents' queue in the hour before `now`."""
        return self.queued.count(now)[0]

    @property
    def open_calls(self) -> int:
        return len(self._open)
