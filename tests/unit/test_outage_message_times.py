"""Dispatch outage messages and service_done messages with times at the edge of what a datetime
holds: refused with a clear reason, never an OverflowError out of the bus."""

from __future__ import annotations

import json

import pytest
from structlog.testing import capture_logs

from hotline.bus.dispatch import deliver_outage
from hotline.bus.outage_message import OutageMessageError, parse_outage
from hotline.dialer.service_done import ServiceDoneError, parse_service_done

GOOD = {
    "area_code": "110105",
    "area_name": "城关供电所",
    "towns": ["城关镇"],
    "starts_at": "2026-12-01T08:00:00+08:00",
    "ends_at": "2026-12-01T12:00:00+08:00",
    "reason": "线路检修",
    "kind": "planned",
}
EDGES = [
    ("9999-12-31T20:00:00-14:00", "9999-12-31T23:00:00-14:00"),  # past year 9999 in UTC
    ("9999-12-31T20:00:00+14:00", "9999-12-31T23:00:00+14:00"),  # beyond any local display
    ("9999-12-31T20:00:00+14:00", "9999-12-31T23:00:00-14:00"),
    ("0001-01-01T00:00:00+14:00", "0001-01-01T01:00:00+14:00"),  # before year 1 in UTC
    ("1969-12-31T00:00:00+00:00", "1969-12-31T01:00:00+00:00"),
]


def payload(**fields) -> bytes:
    return json.dumps({**GOOD, **fields}).encode()


@pytest.mark.parametrize("start,end", EDGES)
def test_out_of_range_outage_times_are_refused(start, end):
    with pytest.raises(OutageMessageError, match="out of range"):
        parse_outage(payload(starts_at=start, ends_at=end))


async def test_the_bus_logs_and_drops_them():
    seen = []

    async def handler(notice):
        seen.append(notice)

    for start, end in EDGES:
        with capture_logs() as logs:
            assert await deliver_outage(payload(starts_at=start, ends_at=end), False, handler) is False
        assert [e["event"] for e in logs] == ["bus.outage_rejected"]
    assert seen == []
    assert await deliver_outage(payload(), False, handler) is True


@pytest.mark.parametrize("at", ["9999-12-31T20:00:00-14:00", "0001-01-01T00:00:00+14:00"])
def test_out_of_range_completion_times_are_refused(at):
    msg = {"order": "GD-1", "kind": "repair", "number": "13800001111", "completed_at": at}
    with pytest.raises(ServiceDoneError, match="completed_at: .*out of range"):
        parse_service_done(json.dumps(msg).encode())
