"""The report rollup: the report's aggregates per UTC day (hotline/store/rollup_models.py) and the
triggers that mark a day dirty in the transaction of every write that changes its figures.

Triggers rather than a call in each write path: the recorder's batches, the dispositions, the CDR
ledger's reconciliation, orphan recovery and any future path or manual fix all mark the day, and
none can forget it. The days that already hold calls or offer events are marked dirty here: the
daemon's refresh (or `hotline report-rollup --rebuild`) computes them.

Caution for later migrations: on SQLite `batch_alter_table` rebuilds a table and drops its
triggers; a migration that rebuilds `calls` or `call_events` must create them again
(`create_triggers`). tests/integration/test_report_rollup_triggers.py checks they exist at head.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DAY_S = 86400
OFFER_KINDS = "('offer', 'no_answer')"
# the calls columns the report reads (hotline/reports/slot_query.py, queries.py, desk_queries.py)
REPORT_COLUMNS = (
    "direction, started_at, outcome, queued_at, talk_started_at, ended_at, agent_id, talk_s, "
    "survey_score, survey_source, business_category, agent_category"
)
SQLITE_DAY = "CAST(strftime('%s', {}) AS INTEGER) / " + str(DAY_S)
PG_DAY = "floor(date_part('epoch', {}) / " + str(DAY_S) + ")::bigint"
SQLITE_MARK = (
    "INSERT INTO report_rollup_days (day, dirty, ready) VALUES ({day}, 1, 0) "
    "ON CONFLICT (day) DO UPDATE SET dirty = 1 WHERE dirty = 0;"
)
PG_MARK = (
    "INSERT INTO report_rollup_days (day, dirty, ready) SELECT DISTINCT {day}, true, false FROM {rows} "
    "ON CONFLICT (day) DO UPDATE SET dirty = true WHERE report_rollup_days.dirty = false;"
)
SQLITE_TRIGGERS = {
    "report_rollup_calls_insert": ("AFTER INSERT ON calls", ("NEW.started_at",)),
    "report_rollup_calls_update": (
        f"AFTER UPDATE OF {REPORT_COLUMNS} ON calls",
        ("OLD.started_at", "NEW.started_at"),
    ),
    "report_rollup_calls_delete": ("AFTER DELETE ON calls", ("OLD.started_at",)),
    "report_rollup_events_insert": (
        f"AFTER INSERT ON call_events WHEN NEW.kind IN {OFFER_KINDS}",
        ("NEW.at",),
    ),
    "report_rollup_events_delete": (
        f"AFTER DELETE ON call_events WHEN OLD.kind IN {OFFER_KINDS}",
        ("OLD.at",),
    ),
}
# PostgreSQL: statement triggers with transition tables for inserts and deletes (one upsert per
# statement, not per row: the recorder's batches and COPY stay cheap); updates per row (PostgreSQL
# allows no column list with transition tables, and an update touches one call)
PG_FUNCTIONS = {
    "report_rollup_calls_new": PG_MARK.format(day=PG_DAY.format("started_at"), rows="new_rows"),
    "report_rollup_calls_old": PG_MARK.format(day=PG_DAY.format("started_at"), rows="old_rows"),
    "report_rollup_calls_row": PG_MARK.format(
        day=PG_DAY.format("t.at"), rows="(VALUES (OLD.started_at), (NEW.started_at)) AS t(at)"
    ),
    "report_rollup_events_new": PG_MARK.format(
        day=PG_DAY.format("at"), rows=f"new_rows WHERE kind IN {OFFER_KINDS}"
    ),
    "report_rollup_events_old": PG_MARK.format(
        day=PG_DAY.format("at"), rows=f"old_rows WHERE kind IN {OFFER_KINDS}"
    ),
}
PG_TRIGGERS = {
    "report_rollup_calls_insert": (
        "AFTER INSERT ON calls REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "report_rollup_calls_new",
    ),
    "report_rollup_calls_delete": (
        "AFTER DELETE ON calls REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "report_rollup_calls_old",
    ),
    "report_rollup_calls_update": (
        f"AFTER UPDATE OF {REPORT_COLUMNS} ON calls FOR EACH ROW",
        "report_rollup_calls_row",
    ),
    "report_rollup_events_insert": (
        "AFTER INSERT ON call_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
        "report_rollup_events_new",
    ),
    "report_rollup_events_delete": (
        "AFTER DELETE ON call_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
        "report_rollup_events_old",
    ),
}
TABLES = ("calls", "call_events")


def create_triggers() -> None:
    """The dirty-marking triggers on calls and call_events (this dialect's)."""
    if op.get_bind().dialect.name == "sqlite":
        for name, (when, stamps) in SQLITE_TRIGGERS.items():
            marks = " ".join(SQLITE_MARK.format(day=SQLITE_DAY.format(s)) for s in stamps)
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN {marks} END")
        return
    for name, body in PG_FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {body} RETURN NULL; END $$"
        )
    for name, (when, function) in PG_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")


def drop_triggers() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, (when, *_rest) in (SQLITE_TRIGGERS if sqlite else PG_TRIGGERS).items():
        table = "call_events" if " call_events" in when else "calls"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def _key_tables() -> None:
    op.create_table(
        "report_rollup_days",
        sa.Column("day", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("answer_target_s", sa.Float(), nullable=True),
        sa.Column("short_abandon_s", sa.Float(), nullable=True),
        sa.Column("claims", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_rollup_days")),
    )
    counts = (
        "inbound blocked in_progress offered answered answered_within abandoned abandoned_within "
        "short_abandoned wait_n wait_sum_s talk_n talk_sum_s survey_n survey_sum fallback fallback_answered"
    ).split()
    op.create_table(
        "report_rollup_slots",
        sa.Column("slot", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        *(sa.Column(c, sa.Float() if c.endswith("_s") else sa.Integer(), nullable=False) for c in counts),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_report_rollup_slots")),
    )
    op.create_index(op.f("ix_report_rollup_slots_day"), "report_rollup_slots", ["day"])


def _group_table(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    op.create_index(f"ix_{name}_day", name, ["day"])


def _group_tables() -> None:
    def col(name: str, type_: Any, nullable: bool = False) -> sa.Column[Any]:
        return sa.Column(name, type_, nullable=nullable)

    _group_table(
        "report_rollup_answered",
        col("agent_id", sa.String(16), True),
        col("agent_category", sa.String(40), True),
        col("business_category", sa.String(40), True),
        *(col(c, sa.Integer()) for c in ("calls", "talk_n")),
        col("talk_sum_s", sa.Float()),
        *(col(c, sa.Integer()) for c in ("survey_n", "survey_sum")),
    )
    _group_table(
        "report_rollup_other",
        col("direction", sa.String(8)),
        col("business_category", sa.String(40), True),
        col("outcome", sa.String(24), True),
        col("queued", sa.Boolean()),
        col("calls", sa.Integer()),
        col("talk_sum_s", sa.Float()),
    )
    _group_table(
        "report_rollup_offers",
        col("agent_id", sa.String(16)),
        col("offers", sa.Integer()),
        col("no_answer", sa.Integer()),
    )
    _group_table(
        "report_rollup_surveys",
        col("survey_source", sa.String(8), True),
        col("survey_score", sa.Integer()),
        col("calls", sa.Integer()),
    )


def _mark_existing() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    day = SQLITE_DAY if sqlite else PG_DAY
    dirty = "1, 0" if sqlite else "true, false"
    op.execute(
        f"INSERT INTO report_rollup_days (day, dirty, ready) SELECT d, {dirty} FROM ("
        f"SELECT DISTINCT {day.format('started_at')} AS d FROM calls UNION "
        f"SELECT DISTINCT {day.format('at')} AS d FROM call_events WHERE kind IN {OFFER_KINDS}) AS days"
    )


def upgrade() -> None:
    _key_tables()
    _group_tables()
    _mark_existing()
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    for name in ("surveys", "offers", "other", "answered", "slots", "days"):
        op.drop_table(f"report_rollup_{name}")
