"""Jobs the daemon itself asks the dialer for: a follow-up (MQTT service-done), a callback, the
calls of a new outage notice. Built by hotline.dialer.jobs, which refuses a number
outbound.dial_patterns does not allow; here each such refusal is also reported (a warning in the
log, `hotline_dial_refused_total{source="dialer"}`, a `dial_refused` event) before the caller
sees the error. (The CLI builds its jobs with the same builders and prints the refusal.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.dialer.jobs import DialRefused, callback_job, followup_job, notice_jobs
from hotline.dialer.service_done import ServiceDone
from hotline.dialer.store import NewJob
from hotline.observability.dial_refusals import DialRefusals
from hotline.selfservice.records import Notice
from hotline.settings import Settings


class RequestedJobs:
    def __init__(self, settings: Settings, refusals: DialRefusals) -> None:
        self.settings = settings
        self.refusals = refusals

    def _refused(self, exc: DialRefused, by: str) -> None:
        self.refusals.report("dialer", exc.refusal, by=by)

    def followup(self, msg: ServiceDone, now: datetime) -> NewJob:
        """The 回访 of a completed service; DialRefused (reported) for a number not allowed."""
        try:
            return followup_job(
                self.settings,
                order=msg.order,
                kind=msg.kind,
                number=msg.number,
                completed_at=msg.completed_at,
                now=now,
            )
        except DialRefused as exc:
            self._refused(exc, f"followup order-{msg.order}")
            raise

    def callback(
        self, *, uniqueid: str, number: str, category: str | None, priority: int, why: str, now: datetime
    ) -> NewJob:
        """Call back the caller of `uniqueid`; DialRefused (reported) for a number not allowed."""
        try:
            return callback_job(
                self.settings,
                uniqueid=uniqueid,
                number=number,
                category=category,
                priority=priority,
                why=why,
                now=now,
            )
        except DialRefused as exc:
            self._refused(exc, f"callback call-{uniqueid}")
            raise

    async def notice(self, engine: AsyncEngine, notice: Notice, now: datetime) -> list[NewJob]:
        """The calls of an outage notice; each phone not allowed is reported and left out."""
        by = f"outage_notice notice-{notice.id}"
        return await notice_jobs(engine, self.settings, notice, now, lambda exc: self._refused(exc, by))
