"""`retention:` (how long call recordings are kept) and `quality:` (the weekly spot checks of
agents' calls and the checklist they are scored on)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from hotline.config_text import StrictSection

MIN_RECORDING_MONTHS = 3  # seed 000 §29: recordings are kept at least 3 months
CHECKLIST_ID = re.compile(r"[a-z][a-z0-9_]{0,23}")


class Retention(StrictSection):
    recordings_months: int = Field(
        default=MIN_RECORDING_MONTHS,
        ge=MIN_RECORDING_MONTHS,
        le=120,
        description="recordings of calls that started more than this many calendar months ago "
        "(local dates) are deleted by the daily job; at least 3",
    )
    run_at: str = Field(default="03:30", description="local time of day (HH:MM) the daily job runs")

    @field_validator("run_at")
    @classmethod
    def _hh_mm(cls, v: str) -> str:
        m = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", v)
        if m is None:
            raise ValueError(f"must be a local time of day as HH:MM (00:00-23:59), got {v!r}")
        return v

    @property
    def run_at_minutes(self) -> int:
        """run_at as minutes after local midnight."""
        hours, minutes = self.run_at.split(":")
        return int(hours) * 60 + int(minutes)


class ChecklistItem(StrictSection):
    id: str = Field(description="a stable key: lowercase letters, digits, _ (stored with each score)")
    label: str = Field(min_length=1, max_length=20, description="what the supervisor reads, e.g. 报工号")
    max_points: int = Field(ge=1, le=100)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not CHECKLIST_ID.fullmatch(v):
            raise ValueError(f"must be 1-24 lowercase letters, digits or _ starting with a letter, got {v!r}")
        return v


DEFAULT_CHECKLIST = (
    ChecklistItem(id="greeting", label="问候语规范", max_points=15),
    ChecklistItem(id="agent_id", label="报工号", max_points=10),
    ChecklistItem(id="solution", label="问题解决", max_points=40),
    ChecklistItem(id="courtesy", label="服务态度", max_points=25),
    ChecklistItem(id="closing", label="结束语", max_points=10),
)


class Quality(StrictSection):
    calls_per_agent: int = Field(
        default=3, ge=1, le=50, description="answered, recorded calls drawn per agent and ISO week"
    )
    checklist: list[ChecklistItem] = Field(default_factory=lambda: list(DEFAULT_CHECKLIST), max_length=20)

    @field_validator("checklist")
    @classmethod
    def _unique(cls, v: list[ChecklistItem]) -> list[ChecklistItem]:
        if not v:
            raise ValueError("must list at least one item to score")
        ids = [item.id for item in v]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"item id {', '.join(twice)} is used twice")
        return v

    @property
    def max_total(self) -> int:
        return sum(item.max_points for item in self.checklist)
