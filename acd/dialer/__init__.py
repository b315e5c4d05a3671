"""The outbound dialer (回访, planned-outage notices, callbacks) on the centre's outbound lines.

Pure core like the rest of `acd`: `Dialer.handle(event, now) -> list[Command]`; the daemon's
adapter places the calls, counts the free lines and ticks at `Dialer.next_wakeup(now)`.
"""

from .calendar import WorkCalendar
from .core import Dialer
from .errors import DialerError, DialerTypeError
from .events import (
    AddJob,
    AttemptEnded,
    AttemptRecord,
    CancelJob,
    Command,
    Dial,
    DncAdded,
    DncRemoved,
    Event,
    JobFinished,
    JobRescheduled,
    Tick,
)
from .jobs import (
    DIAL_RESULTS,
    PURPOSES,
    RESULTS,
    STATUSES,
    Job,
    JobView,
    Purpose,
    Result,
    Status,
)
from .schedule import allowed_at, followup_times, is_allowed, next_attempt_at, outage_notice_times
from .settings import DialerSettings
from .window import CallWindow

__all__ = [
    "AddJob",
    "AttemptEnded",
    "AttemptRecord",
    "CallWindow",
    "CancelJob",
    "Command",
    "DIAL_RESULTS",
    "Dial",
    "Dialer",
    "DialerError",
    "DialerTypeError",
    "DialerSettings",
    "DncAdded",
    "DncRemoved",
    "Event",
    "Job",
    "JobFinished",
    "JobRescheduled",
    "JobView",
    "PURPOSES",
    "Purpose",
    "RESULTS",
    "Result",
    "STATUSES",
    "Status",
    "Tick",
    "WorkCalendar",
    "allowed_at",
    "followup_times",
    "is_allowed",
    "next_attempt_at",
    "outage_notice_times",
]
