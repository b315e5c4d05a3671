"""`orders:`: work orders (工单) made at the agent desk - merging repeated repair reports, the
due dates of complaints and reports, and how order numbers look.

Working days are the dialer's calendar (`outbound.holidays` / `outbound.extra_workdays`, see
acd/dialer/calendar.py), in the center's local time (Asia/Shanghai).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from hotline.config_text import StrictSection

MINUTES_A_WEEK = 7 * 24 * 60


class Orders(StrictSection):
    merge_window_minutes: int = Field(
        default=240,
        ge=0,
        le=MINUTES_A_WEEK,
        description="a repair report for an area with an open order of the same fault type, within "
        "this many minutes of that order's last report, is merged into it; 0 = never merge",
    )
    answer_working_days: int = Field(
        default=5, ge=1, le=60, description="complaints/reports are answered by the end of this working day"
    )
    settle_working_days: int = Field(
        default=10, ge=1, le=120, description="and settled (closed) by the end of this working day"
    )
    number_prefix: str = Field(
        default="GD",
        pattern=r"^[A-Z]{1,6}$",
        description="order numbers are <prefix><local yyyymmdd><4-digit sequence of the day>",
    )

    @model_validator(mode="after")
    def _settle_after_answer(self) -> Orders:
        if self.settle_working_days < self.answer_working_days:
            raise ValueError(
                f"settle_working_days ({self.settle_working_days}) must not be shorter than "
                f"answer_working_days ({self.answer_working_days})"
            )
        return self
