"""The dispatch side settled an order: MQTT `<prefix>/dispatch/order_closed` (in), one JSON object

    {"order": "GD202611260001", "closed_at": "2026-11-26T15:30:00+08:00", "note": "已更换熔断器"}

`closed_at` needs an offset (between 1970 and 2999, not in the future); `note` may be missing;
unknown keys are refused. The order is closed by actor `dispatch` and its follow-up call is
scheduled as for a close at the desk. A bad message (not JSON, wrong fields, a retained replay,
an unknown or already closed order) is logged and dropped; a repeated one changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

import structlog
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.orders.errors import OrderError
from hotline.orders.followup import FollowupScheduler
from hotline.orders.intake import text_block
from hotline.orders.lifecycle import close_order
from hotline.orders.records import WorkOrder
from hotline.selfservice.local_time import check_range

log = structlog.get_logger("orders.mqtt")
MAX_PAYLOAD_BYTES = 8192
DISPATCH_ACTOR = "dispatch"


class OrderClosedError(ValueError):
    pass


class OrderClosed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    order: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    closed_at: Annotated[AwareDatetime, AfterValidator(check_range)]
    note: Annotated[str, AfterValidator(lambda v: text_block(v, required=False))] = ""


def parse_order_closed(payload: object) -> OrderClosed:
    if not isinstance(payload, (bytes, bytearray)):
        raise OrderClosedError(f"payload must be JSON bytes, got {type(payload).__name__}")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise OrderClosedError(f"payload has {len(payload)} bytes, at most {MAX_PAYLOAD_BYTES}")
    try:
        return OrderClosed.model_validate_json(payload)
    except ValidationError as exc:
        raise OrderClosedError(
            "; ".join(
                f"{'.'.join(map(str, e['loc'])) or '(message)'}: {e['msg'].removeprefix('Value error, ')}"
                for e in exc.errors()
            )
        ) from None


def dispatch_closer(
    engine: AsyncEngine, schedule: FollowupScheduler, clock: Callable[[], datetime]
) -> Callable[[OrderClosed], Awaitable[WorkOrder]]:
    """What the daemon does with a valid message: close the order as `dispatch`."""

    async def close(msg: OrderClosed) -> WorkOrder:
        return await close_order(
            engine, msg.order, DISPATCH_ACTOR, msg.note, clock(), schedule, closed_at=msg.closed_at
        )

    return close


def order_closed_handler(
    close: Callable[[OrderClosed], Awaitable[WorkOrder]],
) -> Callable[[object, bool], Awaitable[bool]]:
    """The bus handler: validate, `close`, log the verdict; never raises for bad messages."""

    async def handle(payload: object, retained: bool) -> bool:
        if retained:
            log.warning("orders.order_closed_rejected", reason="retained replay ignored")
            return False
        try:
            msg = parse_order_closed(payload)
            order = await close(msg)
        except (OrderClosedError, OrderError) as exc:
            log.warning("orders.order_closed_rejected", reason=str(exc))
            return False
        except Exception:  # e.g. the database is down: logged with the traceback, the bus goes on
            log.exception("orders.order_closed_failed")
            return False
        log.info("orders.order_closed", order=order.number, followup=order.followup_job_id)
        return True

    return handle
