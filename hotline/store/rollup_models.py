"""The report rollup (migration 0012): the report's aggregates per UTC day, kept beside the raw rows.

`report_rollup_days` holds one row per UTC day (epoch seconds // 86400) that has report data:
- `dirty`: set by the database's own triggers (migration 0012) in the transaction of every write
  that changes a call's report fields or adds an ACD offer event, so no write path can forget it;
- `ready`: the day's rollup rows hold its figures as of the last refresh that claimed it;
- the thresholds the day's "within" counts were computed with;
- `claims`: how many refreshes claimed the day (hotline/reports/rollup.py: only the last writes).
A report uses a day's rollup rows only if it is ready, not dirty and has the report's thresholds;
any other day is read from the raw rows (hotline/reports/rollup_read.py). The rollup rows are
what the raw report queries return for that one day (hotline/reports/rollup.py).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.models import Base

DAY_S = 86_400


class RollupDay(Base):
    __tablename__ = "report_rollup_days"

    day: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    dirty: Mapped[bool] = mapped_column(Boolean)
    ready: Mapped[bool] = mapped_column(Boolean)
    answer_target_s: Mapped[float | None] = mapped_column(Float)
    short_abandon_s: Mapped[float | None] = mapped_column(Float)
    claims: Mapped[int] = mapped_column(Integer, server_default=text("0"))  # refreshes that claimed it


class RollupSlot(Base):
    """The center's inbound Counts of one UTC quarter hour (hotline.reports.slot_query)."""

    __tablename__ = "report_rollup_slots"

    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[int] = mapped_column(BigInteger, index=True)
    inbound: Mapped[int] = mapped_column(Integer)
    blocked: Mapped[int] = mapped_column(Integer)
    in_progress: Mapped[int] = mapped_column(Integer)
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    answered_within: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    abandoned_within: Mapped[int] = mapped_column(Integer)
    short_abandoned: Mapped[int] = mapped_column(Integer)
    wait_n: Mapped[int] = mapped_column(Integer)
    wait_sum_s: Mapped[float] = mapped_column(Float)
    talk_n: Mapped[int] = mapped_column(Integer)
    talk_sum_s: Mapped[float] = mapped_column(Float)
    survey_n: Mapped[int] = mapped_column(Integer)
    survey_sum: Mapped[int] = mapped_column(Integer)
    fallback: Mapped[int] = mapped_column(Integer)
    fallback_answered: Mapped[int] = mapped_column(Integer)


class RollupAnswered(Base):
    """hotline.reports.queries.answered_groups of one UTC day."""

    __tablename__ = "report_rollup_answered"
    __table_args__ = (Index("ix_report_rollup_answered_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(BigInteger)
    agent_id: Mapped[str | None] = mapped_column(String(16))
    agent_category: Mapped[str | None] = mapped_column(String(40))
    business_category: Mapped[str | None] = mapped_column(String(40))
    calls: Mapped[int] = mapped_column(Integer)
    talk_n: Mapped[int] = mapped_column(Integer)
    talk_sum_s: Mapped[float] = mapped_column(Float)
    survey_n: Mapped[int] = mapped_column(Integer)
    survey_sum: Mapped[int] = mapped_column(Integer)


class RollupOther(Base):
    """hotline.reports.queries.other_groups of one UTC day."""

    __tablename__ = "report_rollup_other"
    __table_args__ = (Index("ix_report_rollup_other_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(8))
    business_category: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(24))
    queued: Mapped[bool] = mapped_column(Boolean)
    calls: Mapped[int] = mapped_column(Integer)
    talk_sum_s: Mapped[float] = mapped_column(Float)


class RollupOffers(Base):
    """hotline.reports.queries.agent_offers of one UTC day (by the events' own time)."""

    __tablename__ = "report_rollup_offers"
    __table_args__ = (Index("ix_report_rollup_offers_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(BigInteger)
    agent_id: Mapped[str] = mapped_column(String(16))
    offers: Mapped[int] = mapped_column(Integer)
    no_answer: Mapped[int] = mapped_column(Integer)


class RollupSurveys(Base):
    """hotline.reports.desk_queries.survey_groups of one UTC day."""

    __tablename__ = "report_rollup_surveys"
    __table_args__ = (Index("ix_report_rollup_surveys_day", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(BigInteger)
    survey_source: Mapped[str | None] = mapped_column(String(8))
    survey_score: Mapped[int] = mapped_column(Integer)
    calls: Mapped[int] = mapped_column(Integer)
