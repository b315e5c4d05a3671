"""A completed service from the work-order side (MQTT `<prefix>/dispatch/service_done`) becomes
a follow-up (回访) job. One JSON object per message:

    {"order": "GD20261123001", "kind": "repair", "number": "13800001111",
     "completed_at": "2026-11-20T19:30:00+08:00"}

`kind` is repair | complaint | new_connection; the time needs an offset; the number is taken to
its national form by hotline.phone_number (a number with letters or other symbols is refused, never
shortened to its digits). A bad message (not JSON, wrong fields, a retained replay) is logged and
dropped; a repeated one schedules nothing new.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

import structlog
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints, ValidationError

from hotline.dialer.jobs import JobRequestError
from hotline.phone_number import normalise
from hotline.selfservice.local_time import check_range

log = structlog.get_logger("dialer.mqtt")
MAX_PAYLOAD_BYTES = 4096


class ServiceDone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    order: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    kind: Literal["repair", "complaint", "new_connection"]
    number: Annotated[str, StringConstraints(max_length=40), AfterValidator(normalise)]
    completed_at: Annotated[AwareDatetime, AfterValidator(check_range)]


class ServiceDoneError(ValueError):
    pass


def parse_service_done(payload: object) -> ServiceDone:
    if not isinstance(payload, (bytes, bytearray)):
        raise ServiceDoneError(f"payload must be JSON bytes, got {type(payload).__name__}")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ServiceDoneError(f"payload has {len(payload)} bytes, at most {MAX_PAYLOAD_BYTES}")
    try:
        return ServiceDone.model_validate_json(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(message)'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ServiceDoneError(problems) from None


def service_done_handler(
    schedule: Callable[[ServiceDone], Awaitable[list[str]]],
) -> Callable[[object, bool], Awaitable[bool]]:
    """The bus handler: validate, `schedule`, log the verdict; never raises for bad messages."""

    async def handle(payload: object, retained: bool) -> bool:
        if retained:
            log.warning("dialer.service_done_rejected", reason="retained replay ignored")
            return False
        try:
            msg = parse_service_done(payload)
            inserted = await schedule(msg)
        except (ServiceDoneError, JobRequestError) as exc:
            log.warning("dialer.service_done_rejected", reason=str(exc))
            return False
        except Exception:  # e.g. the database is down: logged with the traceback, bus goes on
            log.exception("dialer.service_done_failed")
            return False
        log.info("dialer.service_done", order=msg.order, kind=msg.kind, new=bool(inserted))
        return True

    return handle
