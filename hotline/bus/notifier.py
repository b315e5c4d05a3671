"""The daemon's live events, one method per kind: the payload of each is written here once.

`EventBus` (the MQTT transport) inherits these, so a call flow says `ctx.bus.call_ended(...)`
rather than building a dict for `publish("call_ended", ...)` at each place that needs it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Any


class Notifier(ABC):
    @abstractmethod
    def publish(self, kind: str, data: Mapping[str, Any], *, retain: bool = False) -> int:
        """Send event `kind` (the transport, `EventBus`, implements it)."""

    # --- calls (every direction: inbound, outbound = an agent dialling out, dialer) -----------
    def call_started(
        self, uniqueid: str, direction: str, *, caller: str, dnid: str = "", lines_in_use: int | None = None
    ) -> None:
        self.publish(
            "call_started",
            {
                "uniqueid": uniqueid,
                "direction": direction,
                "caller": caller,
                "dnid": dnid,
                "lines_in_use": lines_in_use,
            },
        )

    def call_ended(self, uniqueid: str, direction: str, outcome: str, reason: str | None) -> None:
        self.publish(
            "call_ended", {"uniqueid": uniqueid, "direction": direction, "outcome": outcome, "reason": reason}
        )

    def ivr_step(self, uniqueid: str, node: str, key: str | None) -> None:
        self.publish("ivr_step", {"uniqueid": uniqueid, "node": node, "key": key})

    def call_queued(self, uniqueid: str, category: str, priority: int) -> None:
        self.publish("queued", {"uniqueid": uniqueid, "category": category, "priority": priority})

    def offered(self, uniqueid: str, agent_id: str | None) -> None:
        self.publish("offered", {"uniqueid": uniqueid, "agent_id": agent_id})

    def answered(self, uniqueid: str, agent_id: str | None) -> None:
        self.publish("answered", {"uniqueid": uniqueid, "agent_id": agent_id})

    # --- agents, peak mode, dialer --------------------------------------------------------------
    def agent_state(self, agent_id: str | None, change: Mapping[str, Any]) -> None:
        """`change`: the ACD core's agent_state record (from, to)."""
        self.publish("agent_state", {"agent_id": agent_id, **change})

    def peak_mode(self, active: bool, reason: str | None) -> None:
        self.publish("peak_mode", {"active": active, "reason": reason})

    def dialer_attempt(self, job_id: str, attempt: int, purpose: str, number: str) -> None:
        self.publish(
            "dialer_attempt", {"job_id": job_id, "attempt": attempt, "purpose": purpose, "number": number}
        )

    def dialer_job(self, job_id: str, status: str, reason: str | None, key: str | None) -> None:
        self.publish("dialer_job", {"job_id": job_id, "status": status, "reason": reason, "key": key})

    # --- security -------------------------------------------------------------------------------
    def sip_blocked(self, network: str, until: datetime, failures: int, account: str) -> None:
        """An address (`network`, e.g. 192.0.2.7/32) is refused until `until` after `failures`
        failed SIP logins; `account`: the one its last try named (the caller's text, cut short)."""
        self.publish(
            "sip_blocked", {"network": network, "until": until, "failures": failures, "account": account}
        )

    def dial_refused(self, source: str, number: str, reason: str, detail: str, by: str) -> None:
        """A number outbound.dial_patterns does not allow: `source` agent (9 + number, `by` the
        extension) or dialer (a job request, `by` what it was for); `reason` is acd.dial_policy's."""
        self.publish(
            "dial_refused",
            {"source": source, "number": number, "reason": reason, "detail": detail, "by": by},
        )
