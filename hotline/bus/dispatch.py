"""Inbound outage notices from the dispatch side: validate, hand to the daemon, log the verdict.

A bad message (not JSON, missing or wrong fields, ends before it starts, retained, or refused by
the daemon's handler) is logged and dropped; nothing here ever stops the bus.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from hotline.bus.outage_message import OutageMessageError, OutageNotice, parse_outage
from hotline.selfservice.notices import NoticeError

log = structlog.get_logger("bus")

OutageHandler = Callable[[OutageNotice], Awaitable[Any]]


async def deliver_outage(payload: object, retained: bool, handler: OutageHandler) -> bool:
    """Validate one message and await `handler(notice)`; True if the handler took it."""
    if retained:
        log.warning(
            "bus.outage_rejected",
            reason="replay of a retained notice ignored (it would be "
            "added again at every reconnect): dispatch should publish with QoS 1, no retain",
        )
        return False
    try:
        notice = parse_outage(payload)
    except OutageMessageError as exc:
        log.warning("bus.outage_rejected", reason=str(exc))
        return False
    where = dict(area_code=notice.area_code, kind=notice.kind)
    try:
        await handler(notice)
    except NoticeError as exc:
        log.warning("bus.outage_rejected", reason=str(exc), **where)
        return False
    except Exception:  # e.g. the database is down: this notice is lost, the bus goes on
        log.exception("bus.outage_handler_failed", **where)
        return False
    log.info(
        "bus.outage_accepted",
        area_name=notice.area_name,
        starts_at=notice.starts_at.isoformat(),
        ends_at=notice.ends_at.isoformat(),
        **where,
    )
    return True
