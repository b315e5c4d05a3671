"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

import hotline.dialer.models  # noqa: F401  (registers the dialer tables)
import hotline.harassment.models  # noqa: F401  (flagged numbers join Base.metadata)
import hotline.kb.models  # noqa: F401  (the knowledge base joins Base.metadata)
import hotline.orders.models  # noqa: F401  (work orders join Base.metadata)
import hotline.quality.models  # noqa: F401  (quality reviews join Base.metadata)
import hotline.selfservice.models  # noqa: F401
import hotline.store.menu_models  # noqa: F401  (registers the menu versions)
import hotline.store.prompt_models  # noqa: F401  (registers the prompt overrides table)
import hotline.store.web_models  # noqa: F401  (registers the web console tables)
from hotline.kb.models import managed_by_metadata
from hotline.store.db import alembic_config, make_engine, upgrade
from hotline.store.models import Base


def _schema(conn: Connection) -> dict[str, set[str]]:
    """Per table: its plain indexes and its unique constraints (PostgreSQL reports the
    unique constraint's own index too, marked `duplicates_constraint`)."""
    insp = inspect(conn)
    return {
        t: {i["name"] for i in insp.get_indexes(t) if not i.get("duplicates_constraint")}
        | {u["name"] for u in insp.get_unique_constraints(t)}
        for t in insp.get_table_names()
    }


def _drift(conn: Connection) -> list:
    opts = {"compare_type": True, "include_name": managed_by_metadata}  # as env.py does
    context = MigrationContext.configure(conn, opts=opts)
    return compare_metadata(context, Base.metadata)


# the knowledge base's full-text search: FTS5 (its table and shadow tables) or pg_trgm indexes
KB_SEARCH = {
    "sqlite": {
        "kb_articles": {"uq_kb_articles_title"},
        **{f"kb_articles_fts{suffix}": set() for suffix in ("", "_data", "_idx", "_docsize", "_config")},
    },
    "postgresql": {
        "kb_articles": {
            "uq_kb_articles_title",
            *(f"ix_kb_articles_{c}_trgm" for c in ("title", "body", "tags")),
        },
    },
}


async def test_migrations_apply_to_an_empty_database(db_url):
    await upgrade(db_url)
    await upgrade(db_url)  # idempotent: the daemon runs it at every start
    engine = make_engine(db_url)
    try:
        async with engine.connect() as conn:
            schema = await conn.run_sync(_schema)
            version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            drift = await conn.run_sync(_drift)
    finally:
        await engine.dispose()
    assert schema == {
        "alembic_version": set(),
        "calls": {
            "ix_calls_started_at",
            "ix_calls_outcome",
            "ix_calls_agent_id",
            "uq_calls_uniqueid",
            "ix_calls_caller_number",
            "ix_calls_dnid",
            "ix_calls_business_category",
            "ix_calls_agent_category",
        },
        "call_events": {"ix_call_events_call_uniqueid", "ix_call_events_kind_at"},
        "outage_notices": {"ix_outage_notices_area_code_starts_at"},
        "accounts": {"ix_accounts_phone"},
        "outbound_jobs": {"ix_outbound_jobs_status_next_at", "uq_outbound_jobs_purpose_ref"},
        "outbound_attempts": {
            "ix_outbound_attempts_job_id",
            "ix_outbound_attempts_started_at",
            "uq_outbound_attempts_job_attempt",
        },
        "dnc_numbers": set(),
        "users": {"uq_users_username", "uq_users_agent_id"},
        "web_sessions": {"ix_web_sessions_user_id"},
        "audit_log": {"ix_audit_log_at", "ix_audit_log_user_id"},
        "work_orders": {
            "uq_work_orders_number",
            "ix_work_orders_call_uniqueid",
            "ix_work_orders_caller_number",
            "ix_work_orders_created_at",
            "ix_work_orders_kind_status_area_code",
        },
        "work_order_history": {"ix_work_order_history_order_id"},
        "flagged_numbers": {"ix_flagged_numbers_number"},
        "menu_versions": set(),
        "prompt_overrides": set(),
        "quality_reviews": {
            "uq_quality_reviews_week_call_uniqueid",
            "ix_quality_reviews_call_uniqueid",
            "ix_quality_reviews_week_agent_id",
        },
        "kb_article_versions": {"uq_kb_article_versions_article_id"},
        "report_rollup_days": set(),
        "report_rollup_slots": {"ix_report_rollup_slots_day"},
        **{
            f"report_rollup_{t}": {f"ix_report_rollup_{t}_day"}
            for t in ("answered", "other", "offers", "surveys")
        },
        **KB_SEARCH[engine.dialect.name],
    }
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert drift == [], "models and migrations differ: add a migration"


async def test_sqlite_file_gets_its_directory_and_wal(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'lib' / 'hotline.db'}"
    await upgrade(url)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await engine.dispose()
    assert (tmp_path / "var" / "lib" / "hotline.db").is_file()
