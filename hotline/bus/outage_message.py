"""Outage notices sent by the dispatch side on `<prefix>/dispatch/outage`, validated with pydantic.

A message is one JSON object:

    {"area_code": "110105", "area_name": "城关供电所", "towns": ["城关镇", "东关镇"],
     "starts_at": "2025-07-01T08:00:00+08:00", "ends_at": "2025-07-01T12:00:00+08:00",
     "reason": "线路检修", "kind": "planned"}

Times are ISO 8601 strings with an offset (naive times and Unix numbers are refused: the hotline
never guesses the zone), between 1970 and 2999 (a time such as 9999-12-31T20:00-14:00 has no UTC
equivalent); `kind` is `planned` or `fault`; unknown keys are refused.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from hotline.selfservice.local_time import check_range

MAX_PAYLOAD_BYTES = 16 * 1024

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Time = Annotated[AwareDatetime, AfterValidator(check_range)]


class OutageMessageError(ValueError):
    """A dispatch message that is not a valid outage notice; the message says every problem."""


class OutageNotice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    area_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{4,12}$")]
    area_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    towns: list[Text] = Field(min_length=1)
    starts_at: Time
    ends_at: Time
    reason: Text
    kind: Literal["planned", "fault"]

    @model_validator(mode="after")
    def _ends_after_start(self) -> OutageNotice:
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"ends_at ({self.ends_at.isoformat()}) must be after starts_at ({self.starts_at.isoformat()})"
            )
        return self


def parse_outage(payload: object) -> OutageNotice:
    """An MQTT payload -> OutageNotice, or OutageMessageError naming every problem."""
    if not isinstance(payload, (bytes, bytearray)):
        raise OutageMessageError(f"payload must be JSON bytes, got {type(payload).__name__}")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise OutageMessageError(f"payload has {len(payload)} bytes, at most {MAX_PAYLOAD_BYTES}")
    try:
        return OutageNotice.model_validate_json(bytes(payload))
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e["loc"]) or "(message)"
            problems.append(f"{where}: {e['msg'].removeprefix('Value error, ')}")
        raise OutageMessageError("; ".join(problems)) from None
