"""Dialer core invariants over random event sequences with an advancing injected clock
(hypothesis stateful testing).

Never more Dials in flight than the lines given; never a Dial outside the call window, nor on a
non-working day for follow-ups and outage notices (checked against a holiday table of the test's
own), nor to a do-not-call number, nor before the job is due or after its deadline; a job in
progress is never dialled again; attempts never exceed max_attempts; illegal events raise and
change nothing; no Tick before `next_wakeup()` produces anything, and a Tick at it does; every job
ends exactly once (the teardown drives the clock until all have).
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from acd.dialer import (
    DIAL_RESULTS,
    AddJob,
    AttemptEnded,
    AttemptRecord,
    CallWindow,
    CancelJob,
    Dial,
    Dialer,
    DialerError,
    DialerSettings,
    DncAdded,
    DncRemoved,
    Job,
    JobFinished,
    JobRescheduled,
    Tick,
    WorkCalendar,
    allowed_at,
)

SH = ZoneInfo("Asia/Shanghai")
LINES = 2  # few lines: due jobs often wait, over window closings and weekends
# a dense table, so the clock often lands on a day off: many weekdays off, some Saturdays on
DAYS = [date(2026, 11, 16) + timedelta(days=i) for i in range(120)]
HOLIDAYS = frozenset(d for d in DAYS if d.weekday() < 5 and d.day % 3 == 0)
MAKE_UPS = frozenset(d for d in DAYS if d.weekday() == 5 and d.day % 4 == 0)
SETTINGS = DialerSettings(
    SH,
    CallWindow(time(8), time(20)),
    WorkCalendar(holidays=HOLIDAYS, extra_workdays=MAKE_UPS),
    {
        "followup": timedelta(minutes=90),
        "outage_notice": timedelta(hours=3),
        "callback": timedelta(minutes=10),
    },
)
NUMBERS = [f"1390000000{i}" for i in range(6)]
STARTS = [
    datetime(2026, 11, 20, 18, 0, tzinfo=SH),  # Friday evening before a weekend
    datetime(2026, 11, 23, 19, 0, tzinfo=SH),  # Monday evening before a holiday
    datetime(2026, 11, 27, 19, 30, tzinfo=SH),  # Friday evening before a make-up day
    datetime(2026, 11, 21, 7, 0, tzinfo=SH),
]  # Saturday morning
assert date(2026, 11, 24) in HOLIDAYS and date(2026, 11, 28) in MAKE_UPS
US = timedelta(microseconds=1)


def dialable(purpose: str, now: datetime) -> bool:
    local = now.astimezone(SH)
    if not time(8) <= local.time() < time(20):
        return False
    day = local.date()
    assert DAYS[0] <= day <= DAYS[-1], f"{day} is outside the test's holiday table"
    working = day in MAKE_UPS or (day not in HOLIDAYS and day.weekday() < 5)
    return purpose == "callback" or working


class DialerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.d = Dialer(SETTINGS, dnc=[NUMBERS[5]])
        self.now = STARTS[0].astimezone(UTC)
        self.jobs: dict[str, Job] = {}  # as added
        self.tries: dict[str, int] = {}  # attempts so far (restored + dialled)
        self.in_flight: set[str] = set()
        self.cancelled: dict[str, str] = {}  # cancel asked while in flight
        self.dnc = {NUMBERS[5]}
        self.finished: Counter[str] = Counter()

    def live(self) -> list[str]:
        return sorted(j for j in self.jobs if not self.finished[j])

    def send(self, event, free: int = 0):
        out = self.d.handle(event, self.now)
        dials = [c for c in out if isinstance(c, Dial)]
        assert len(dials) <= free, f"{len(dials)} dials on {free} free lines"
        for cmd in out:
            self.check(cmd)
        assert len(self.in_flight) <= LINES
        return out

    def check(self, cmd) -> None:
        job = self.jobs[cmd.job_id]
        assert not self.finished[cmd.job_id], f"{cmd!r} after the job finished"
        if isinstance(cmd, Dial):
            assert cmd.job_id not in self.in_flight, f"{cmd.job_id} dialled twice"
            assert dialable(job.purpose, self.now), f"{cmd!r} at {self.now.astimezone(SH)}"
            assert cmd.number not in self.dnc
            assert allowed_at(job.purpose, job.not_before, SETTINGS) <= self.now <= job.deadline
            self.tries[cmd.job_id] += 1
            assert cmd.attempt == self.tries[cmd.job_id] <= job.max_attempts
            self.in_flight.add(cmd.job_id)
        elif isinstance(cmd, AttemptRecord):
            assert cmd.job_id not in self.in_flight and cmd.at == self.now
            if cmd.result == "dnc":
                assert job.number in self.dnc
            else:
                assert cmd.result == "out_of_window" and self.tries[cmd.job_id] == 0
        elif isinstance(cmd, JobRescheduled):
            assert self.now < cmd.due_at <= job.deadline and dialable(job.purpose, cmd.due_at)
            assert self.tries[cmd.job_id] < job.max_attempts
        else:
            assert isinstance(cmd, JobFinished)
            self.finished[cmd.job_id] += 1
            if cmd.reason == "dnc":
                assert job.number in self.dnc
            elif cmd.status == "given_up" and cmd.job_id not in self.in_flight:
                assert self.tries[cmd.job_id] >= job.max_attempts or job.deadline < self.now
            self.in_flight.discard(cmd.job_id)

    # --- rules -------------------------------------------------------------------------------

    @initialize(start=st.sampled_from(STARTS))
    def start_at(self, start):
        self.now = start.astimezone(UTC)

    @rule(
        specs=st.lists(
            st.tuples(
                st.sampled_from(["followup", "outage_notice", "callback"]),
                st.integers(0, 5),
                st.integers(0, 3),
                st.one_of(st.integers(-600, 120), st.integers(120, 4000)),
                st.integers(0, 6000),
                st.integers(1, 4),
                st.integers(0, 4),
            ),
            min_size=1,
            max_size=4,
        )
    )
    def add_jobs(self, specs):
        for purpose, number, priority, start, span, max_attempts, restored in specs:
            nb = self.now + timedelta(minutes=start)
            job = Job(
                f"j{len(self.jobs)}",
                NUMBERS[number],
                purpose,
                nb,
                nb + timedelta(minutes=span),
                priority,
                min(restored, max_attempts),
                max_attempts,
            )
            self.jobs[job.id], self.tries[job.id] = job, job.attempts
            self.send(AddJob(job))

    @rule(busy_with_agents=st.integers(0, LINES))
    def tick(self, busy_with_agents):
        free = max(0, LINES - len(self.in_flight) - busy_with_agents)
        self.send(Tick(free), free)

    @rule(
        minutes=st.one_of(st.integers(1, 120), st.integers(120, 3000)),
        seconds=st.integers(0, 59),
        then_tick=st.booleans(),
    )
    def advance(self, minutes, seconds, then_tick):
        self.now += timedelta(minutes=minutes, seconds=seconds)
        if then_tick:  # the daemon was away (or had no line) and wakes up now
            self.send(Tick(LINES - len(self.in_flight)), LINES - len(self.in_flight))

    @rule()
    def jump_to_wakeup(self):
        free = LINES - len(self.in_flight)
        wake = self.d.next_wakeup(self.now)
        if wake is None:
            return
        assert wake >= self.now
        if wake > self.now:
            self.now = wake - US
            assert self.send(Tick(free), free) == [], "a Tick before next_wakeup did something"
        self.now = wake
        out = self.send(Tick(free), free)
        assert out or free == 0, f"nothing to do at next_wakeup {wake.astimezone(SH)}"

    @precondition(lambda self: self.in_flight)
    @rule(i=st.integers(0, LINES), result=st.sampled_from(DIAL_RESULTS))
    def end_attempt(self, i, result):
        job_id = sorted(self.in_flight)[i % len(self.in_flight)]
        (cmd,) = self.send(AttemptEnded(job_id, result, f"k-{job_id}"))
        self.in_flight.discard(job_id)
        if result == "answered":
            assert cmd == JobFinished(job_id, "done", "answered", f"k-{job_id}")
        elif job_id in self.cancelled:
            assert cmd == JobFinished(job_id, "cancelled", self.cancelled[job_id], f"k-{job_id}")
        elif self.jobs[job_id].number in self.dnc:
            assert cmd == JobFinished(job_id, "given_up", "dnc", f"k-{job_id}")
        elif isinstance(cmd, JobFinished):
            assert cmd.status == "given_up" and cmd.reason.startswith(f"{result} after ")

    @rule(number=st.integers(0, 5), add=st.booleans())
    def change_dnc(self, number, add):
        if add:
            self.dnc.add(NUMBERS[number])
            assert self.send(DncAdded(NUMBERS[number])) == []
        else:
            self.dnc.discard(NUMBERS[number])
            assert self.send(DncRemoved(NUMBERS[number])) == []

    @precondition(lambda self: self.live())
    @rule(i=st.integers(0, 100))
    def cancel(self, i):
        job_id = self.live()[i % len(self.live())]
        out = self.send(CancelJob(job_id, f"cancel {i}"))
        if job_id in self.in_flight:
            assert out == []
            self.cancelled[job_id] = f"cancel {i}"
        else:
            assert out == [JobFinished(job_id, "cancelled", f"cancel {i}")]

    @precondition(lambda self: self.jobs)
    @rule(i=st.integers(0, 100), result=st.sampled_from(DIAL_RESULTS))
    def illegal_attempt_end(self, i, result):
        job_id = sorted(self.jobs)[i % len(self.jobs)]
        if job_id in self.in_flight:
            return
        before = self.d.counts()
        state = "pending" if not self.finished[job_id] else "unknown"
        with pytest.raises(DialerError, match=f"job {job_id} is {state}"):
            self.d.handle(AttemptEnded(job_id, result), self.now)
        assert self.d.counts() == before

    @invariant()
    def counts_match(self):
        live = len(self.live())
        assert self.d.counts() == {"pending": live - len(self.in_flight), "in_progress": len(self.in_flight)}

    def teardown(self):
        for _ in range(20 * len(self.jobs) + 10):
            for job_id in sorted(self.in_flight):
                self.send(AttemptEnded(job_id, "no_answer"))
                self.in_flight.discard(job_id)
            wake = self.d.next_wakeup(self.now)
            if wake is None:
                break
            self.now = wake
            self.send(Tick(LINES), LINES)
        assert self.d.counts() == {"pending": 0, "in_progress": 0}
        assert set(self.finished) == set(self.jobs) and set(self.finished.values()) <= {1}


DialerMachine.TestCase.settings = settings(max_examples=300, stateful_step_count=50, deadline=None)
test_dialer_invariants = DialerMachine.TestCase
