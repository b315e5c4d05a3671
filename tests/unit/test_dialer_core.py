"""The dialer core: when it dials, in which order, retries, give-ups, DNC, illegal events."""

from datetime import UTC, date, datetime, timedelta
from zlib import crc32
from zoneinfo import ZoneInfo

import pytest

from acd.dialer import (
    AddJob,
    AttemptEnded,
    AttemptRecord,
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
    followup_times,
)

SH = ZoneInfo("Asia/Shanghai")
S = DialerSettings(SH)
US = timedelta(microseconds=1)


def sh(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


MON = sh(2026, 11, 23, 9)  # a Monday, inside the window


DEADLINE = sh(2026, 11, 25, 20)


def job(jid="j1", purpose="followup", nb=MON, dl=DEADLINE, number=None, **kw):
    return Job(jid, number or f"1380000{crc32(jid.encode()) % 10000:04d}", purpose, nb, dl, **kw)


def dials(out):
    return [c.job_id for c in out if isinstance(c, Dial)]


def add(d, *jobs, now=MON):
    for j in jobs:
        assert d.handle(AddJob(j), now) == []


@pytest.mark.parametrize(
    "calendar, first",
    [
        (WorkCalendar(), sh(2026, 11, 23, 8)),  # Monday
        (WorkCalendar(holidays=frozenset({date(2026, 11, 23)})), sh(2026, 11, 24, 8)),  # Tuesday
        (WorkCalendar(extra_workdays=frozenset({date(2026, 11, 21)})), sh(2026, 11, 21, 8)),  # 调休
    ],
)
def test_followup_completed_friday_evening_first_dial(calendar, first):
    s = DialerSettings(SH, calendar=calendar)
    d = Dialer(s)
    done = sh(2026, 11, 20, 19, 30)
    add(d, Job("f1", "13800138000", "followup", *followup_times(done, s)), now=done)
    assert d.next_wakeup(done) == first
    before = [t for t in (done + timedelta(hours=h) for h in range(0, 100, 5)) if t < first]
    for t in before + [first - US]:  # e.g. Saturday 10:00, Monday 07:59:59
        assert d.handle(Tick(4), t) == []
    assert d.handle(Tick(4), first) == [Dial("f1", "13800138000", "followup", 1, {})]


def test_nothing_is_dialled_at_2000_or_0759_callbacks_at_the_weekend_follow_ups_not():
    d = Dialer(S)
    fri, end = sh(2026, 11, 20, 19), sh(2026, 11, 30, 20)
    add(
        d,
        job("left", nb=fri, dl=end),
        job("cb", "callback", nb=fri, dl=end),
        job("fu", nb=fri + timedelta(hours=12), dl=end),
        now=fri,
    )
    assert d.handle(Tick(0), fri) == []  # no free line on Friday evening
    assert d.handle(Tick(4), sh(2026, 11, 20, 20)) == []
    assert d.handle(Tick(4), sh(2026, 11, 21, 7, 59, 59)) == []
    assert dials(d.handle(Tick(4), sh(2026, 11, 21, 8))) == ["cb"]  # follow-ups wait for Monday
    assert d.next_wakeup(sh(2026, 11, 21, 8)) == sh(2026, 11, 23, 8)
    d.handle(AttemptEnded("cb", "busy"), sh(2026, 11, 21, 19, 50))
    assert d.job("cb").due_at == sh(2026, 11, 22, 8)  # 20:00 is outside: Sunday morning
    assert d.handle(Tick(4), sh(2026, 11, 21, 20)) == []
    assert d.handle(Tick(4), sh(2026, 11, 22, 7, 59, 59)) == []
    assert dials(d.handle(Tick(4), sh(2026, 11, 23, 8))) == ["left", "cb", "fu"]  # by due time


def test_free_lines_limit_and_no_second_dial_while_in_progress():
    d = Dialer(S)
    add(d, *(job(f"j{i}") for i in range(6)))
    assert dials(d.handle(Tick(4), MON)) == ["j0", "j1", "j2", "j3"]
    assert d.counts() == {"pending": 2, "in_progress": 4}
    assert dials(d.handle(Tick(1), MON)) == ["j4"]
    assert d.handle(Tick(0), MON) == []
    d.handle(AttemptEnded("j0", "no_answer"), MON)
    assert dials(d.handle(Tick(4), MON)) == ["j5"]  # j0 waits 2 h, j1-j4 are still on the line


def test_key_accounts_first_then_due_time_then_insertion_order():
    d = Dialer(S)
    add(
        d,
        job("late", nb=MON - timedelta(minutes=1)),
        job("early", nb=MON - timedelta(minutes=5)),
        job("second", nb=MON - timedelta(minutes=5)),
        job("vip", priority=5),
        job("cb", "callback", priority=2),
    )
    assert dials(d.handle(Tick(5), MON)) == ["vip", "cb", "early", "second", "late"]


def test_answered_is_done_with_the_key():
    d = Dialer(S)
    d.handle(AddJob(job(payload={"order": "W123"})), MON)
    (dial,) = d.handle(Tick(1), MON)
    assert dial.payload == {"order": "W123"} and dial.attempt == 1
    assert d.handle(AttemptEnded("j1", "answered", "cdr-7"), MON) == [
        JobFinished("j1", "done", "answered", "cdr-7")
    ]
    assert d.counts() == {"pending": 0, "in_progress": 0}
    assert d.next_wakeup(MON) is None
    d.handle(AddJob(job("j2")), MON)
    assert d.next_wakeup(sh(2026, 11, 23, 21)) == sh(2026, 11, 24, 8)  # due, window closed
    assert d.next_wakeup(sh(2026, 11, 23, 21)).tzinfo is UTC


def test_retry_spacing_then_give_up_after_max_attempts():
    d = Dialer(S)
    d.handle(AddJob(job()), MON)
    now = MON
    for n in (1, 2):
        assert d.handle(Tick(1), now)[0].attempt == n
        now += timedelta(seconds=30)
        due = now + timedelta(hours=2)
        assert d.handle(AttemptEnded("j1", "busy"), now) == [JobRescheduled("j1", due, "busy")]
        assert d.next_wakeup(now) == due
        assert d.handle(Tick(1), due - US) == []
        now = due
    assert d.handle(Tick(1), now)[0].attempt == 3
    assert d.handle(AttemptEnded("j1", "no_answer", "k3"), now) == [
        JobFinished("j1", "given_up", "no_answer after 3 attempts", "k3")
    ]


def test_follow_up_gives_up_after_3_working_days_with_the_reason():
    s = DialerSettings(SH, retry_spacing={**S.retry_spacing, "followup": timedelta(hours=4)})
    d = Dialer(s)
    done = sh(2026, 11, 20, 19, 30)  # Friday evening: Mon, Tue, Wed
    d.handle(AddJob(Job("f1", "13800138000", "followup", *followup_times(done, s), max_attempts=20)), done)
    now, dialled = done, []
    while d.counts()["pending"]:
        now = d.next_wakeup(now)
        (dial,) = d.handle(Tick(4), now)
        dialled.append(now.astimezone(SH).strftime("%a %H:%M"))
        out = d.handle(AttemptEnded("f1", "no_answer"), now + timedelta(minutes=1))
    assert dialled == [f"{day} {h}" for day in ("Mon", "Tue", "Wed") for h in ("08:00", "12:01", "16:02")]
    (fin,) = out
    assert fin.status == "given_up" and fin.reason.startswith("no_answer after 9 attempts")
    assert "deadline 2026-11-25T20:00:00+08:00" in fin.reason


def test_deadline_passes_without_a_dial():
    d = Dialer(S)
    d.handle(AddJob(job(dl=sh(2026, 11, 23, 10))), MON)
    assert d.next_wakeup(MON) == MON
    assert d.handle(Tick(0), sh(2026, 11, 23, 10)) == []  # the deadline itself is still allowed
    assert d.next_wakeup(sh(2026, 11, 23, 10)) == sh(2026, 11, 23, 10)
    assert d.handle(Tick(0), sh(2026, 11, 23, 10) + US) == [
        AttemptRecord("j1", 1, "out_of_window", sh(2026, 11, 23, 10) + US),
        JobFinished("j1", "given_up", "out_of_window"),
    ]
    d.handle(AddJob(job("j2", dl=sh(2026, 11, 23, 12))), MON)  # tried, then no free line
    d.handle(Tick(1), MON)
    d.handle(AttemptEnded("j2", "busy"), MON)  # due 11:00
    assert d.handle(Tick(0), sh(2026, 11, 23, 13)) == [JobFinished("j2", "given_up", "busy")]


def test_deadline_passing_during_a_call_is_decided_when_it_ends():
    d = Dialer(S)
    d.handle(AddJob(job(dl=MON + timedelta(minutes=5))), MON)
    d.handle(Tick(1), MON)
    assert d.handle(Tick(1), MON + timedelta(minutes=10)) == []
    assert d.next_wakeup(MON + timedelta(minutes=10)) is None
    (fin,) = d.handle(AttemptEnded("j1", "failed"), MON + timedelta(minutes=10))
    assert fin.status == "given_up" and fin.reason.startswith("failed after 1 attempt;")


def test_dnc_number_is_never_dialled():
    d = Dialer(S, dnc=["13900000000"])
    assert d.handle(AddJob(job("a", number="13900000000", attempts=1)), MON) == [
        AttemptRecord("a", 2, "dnc", MON),
        JobFinished("a", "given_up", "dnc"),
    ]
    add(d, job("b", number="13700000000"), job("c", number="13600000000"))
    d.handle(DncAdded("13700000000"), MON)
    assert d.next_wakeup(MON + timedelta(hours=12)) == MON + timedelta(hours=12)
    assert d.handle(Tick(4), MON + timedelta(hours=12)) == [  # 21:00: ended even out of window
        AttemptRecord("b", 1, "dnc", MON + timedelta(hours=12)),
        JobFinished("b", "given_up", "dnc"),
    ]
    d.handle(DncAdded("13600000000"), MON)
    d.handle(DncRemoved("13600000000"), MON)
    assert dials(d.handle(Tick(4), sh(2026, 11, 24, 8))) == ["c"]
    d.handle(DncAdded("13600000000"), MON)  # while its call is up: no retry
    assert d.handle(AttemptEnded("c", "no_answer", "k"), sh(2026, 11, 24, 8)) == [
        JobFinished("c", "given_up", "dnc", "k")
    ]


def test_cancel_pending_and_in_progress():
    d = Dialer(S)
    add(d, job("a"), job("b"))
    assert d.handle(CancelJob("a", "served inbound"), MON) == [
        JobFinished("a", "cancelled", "served inbound")
    ]
    d.handle(Tick(1), MON)
    assert d.handle(CancelJob("b", "customer asked"), MON) == []
    assert d.handle(AttemptEnded("b", "busy"), MON) == [JobFinished("b", "cancelled", "customer asked")]
    with pytest.raises(DialerError, match="job a is unknown"):
        d.handle(CancelJob("a", "again"), MON)


def test_restored_attempts_count():
    d = Dialer(S)
    d.handle(AddJob(job("r", attempts=2, last_result="busy")), MON)
    assert d.handle(Tick(1), MON)[0].attempt == 3
    assert d.handle(AttemptEnded("r", "busy"), MON)[0].reason == "busy after 3 attempts"
    assert d.handle(AddJob(job("x", attempts=3, last_result="no_answer")), MON) == [
        JobFinished("x", "given_up", "no_answer after 3 attempts (restored with none left)")
    ]


def test_illegal_events_raise_and_change_nothing():
    d = Dialer(S)
    d.handle(AddJob(job("a")), MON)
    for event, message in [
        (AttemptEnded("a", "answered"), "job a is pending, not in_progress"),
        (AttemptEnded("zz", "answered"), "job zz is unknown"),
        (AddJob(job("a")), "already pending"),
        (Tick(-1), "free_lines must be an int >= 0"),
        ("Tick", "unknown event"),
        (DncAdded("+86 139"), "3-20 ASCII digits"),
        (CancelJob("a", ""), "reason must be a non-empty"),
        (Tick(1), "aware"),
    ]:
        with pytest.raises(DialerError, match=message):
            d.handle(event, datetime(2026, 11, 23, 9) if message == "aware" else MON)
    assert d.counts() == {"pending": 1, "in_progress": 0}
    d.handle(Tick(1), MON)
    for event, message in [
        (AttemptEnded("a", "dnc"), "result must be one of"),
        (AddJob(job("a")), "already in_progress"),
    ]:
        with pytest.raises(DialerError, match=message):
            d.handle(event, MON)
    assert d.counts() == {"pending": 0, "in_progress": 1}
    with pytest.raises(DialerError, match="do-not-call number"):
        Dialer(S, dnc=["12"])


def test_status_views_are_copies():
    d = Dialer(S)
    add(d, job("b", nb=MON + timedelta(hours=1)), job("a"))
    assert [(v.job.id, v.state, v.due_at) for v in d.pending_jobs()] == [
        ("a", "pending", MON),
        ("b", "pending", MON + timedelta(hours=1)),
    ]
    d.job("a").job.payload["x"] = "y"
    d.handle(Tick(1), MON)
    v = d.job("a")
    assert (v.state, v.due_at, v.job.attempts, v.job.payload) == ("in_progress", None, 1, {})
    with pytest.raises(DialerError, match="unknown"):
        d.job("nope")


def test_a_reused_id_after_finishing_is_a_new_job_and_stale_entries_are_dropped():
    d = Dialer(S)
    for r in range(300):  # many cancelled jobs: the heaps are rebuilt, never grow unbounded
        d.handle(AddJob(job("x", nb=MON + timedelta(minutes=r % 7))), MON)
        d.handle(CancelJob("x", "again"), MON)
    d.handle(AddJob(job("x", nb=MON + timedelta(hours=2))), MON)
    assert len(d.queue._later) < 100 and len(d.queue._deadlines) < 100
    assert d.next_wakeup(MON) == MON + timedelta(hours=2)
    assert d.handle(Tick(1), MON + timedelta(hours=1)) == []
    assert dials(d.handle(Tick(1), MON + timedelta(hours=2))) == ["x"]
