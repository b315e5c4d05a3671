"""When a job may be called: pure functions of the settings and the times given.

All results are aware UTC datetimes; inputs may be aware in any zone. "Allowed" means inside the
call window in local time (settings.tz) and, for purposes in `working_days_only`, on a working day.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import DialerError
from .jobs import Job, check_aware
from .settings import DialerSettings

UTC = UTC


def allowed_at(purpose: str, at: datetime, settings: DialerSettings) -> datetime:
    """The earliest allowed moment >= `at` for this purpose."""
    local = check_aware(at, "at").astimezone(settings.tz)
    return settings.window.next_open(local, settings.calendar_for(purpose)).astimezone(UTC)


def is_allowed(purpose: str, now: datetime, settings: DialerSettings) -> bool:
    local = check_aware(now, "now").astimezone(settings.tz)
    cal = settings.calendar_for(purpose)
    return settings.window.contains(local) and (cal is None or cal.is_working_day(local.date()))


def followup_times(completed_at: datetime, settings: DialerSettings) -> tuple[datetime, datetime]:
    """(not_before, deadline) of the follow-up call (回访) for a service completed at
    `completed_at`: the first allowed moment >= completed_at + followup_min_delay (so a service
    completed Friday 19:30 is first called Monday 08:00, or on the next working day after a
    holiday / on a make-up Saturday), and the window close on the `followup_retry_working_days`-th
    working day counting not_before's day as day 1."""
    start = check_aware(completed_at, "completed_at") + settings.followup_min_delay
    not_before = allowed_at("followup", start, settings)
    first_day = not_before.astimezone(settings.tz).date()
    last_day = settings.calendar.working_days_from(first_day, settings.followup_retry_working_days)
    deadline = settings.window.close_of(last_day, settings.tz).astimezone(UTC)
    return not_before, deadline


def outage_notice_times(
    created_at: datetime, outage_start: datetime, settings: DialerSettings
) -> tuple[datetime, datetime]:
    """(not_before, deadline) of a planned-outage notice: from the first allowed moment >=
    created_at until outage_start - outage_notice_lead (7 days). Raises DialerError if there is
    no allowed moment left before that."""
    not_before = allowed_at("outage_notice", created_at, settings)
    deadline = check_aware(outage_start, "outage_start").astimezone(UTC) - settings.outage_notice_lead
    if deadline < not_before:
        raise DialerError(
            f"outage at {outage_start.isoformat()} is too close: notices are called at least "
            f"{settings.outage_notice_lead} ahead, i.e. by {deadline.isoformat()}, but the first "
            f"allowed moment is {not_before.isoformat()}"
        )
    return not_before, deadline


def next_attempt_at(job: Job, now: datetime, settings: DialerSettings) -> datetime | None:
    """The next allowed moment >= now + retry spacing of the job's purpose (and >= not_before),
    or None if that falls after the job's deadline."""
    earliest = max(check_aware(now, "now") + settings.retry_spacing[job.purpose], job.not_before)
    at = allowed_at(job.purpose, earliest, settings)
    return None if at > job.deadline else at
