"""A number outbound.dial_patterns does not allow (acd.dial_policy): one warning in the log, one
count in `hotline_dial_refused_total{source}`, one `dial_refused` live event.

The number is the one the agent dialled or the job asked for, as is (an audit needs it; it is
the callee's, not a caller's, number), cut to MAX_NUMBER_TEXT characters: behind `_9X.` an agent's
softphone can put any text there.
"""

from __future__ import annotations

import structlog

from acd.dial_policy import DialRefusal
from hotline.bus.notifier import Notifier
from hotline.observability.metrics import Metrics

log = structlog.get_logger("dial_policy")
MAX_NUMBER_TEXT = 64


class DialRefusals:
    def __init__(self, bus: Notifier, metrics: Metrics) -> None:
        self.bus = bus
        self.metrics = metrics

    def report(self, source: str, refusal: DialRefusal, by: str) -> None:
        """`source`: agent (9 + number; `by` = the extension) or dialer (`by` = what the job was for)."""
        number = refusal.number[:MAX_NUMBER_TEXT]
        self.metrics.dial_refused(source)  # first: it refuses an unknown source before anything is said
        log.warning(
            "dial.refused", source=source, number=number, reason=refusal.reason, detail=refusal.detail, by=by
        )
        self.bus.dial_refused(source, number, refusal.reason, refusal.detail, by)
