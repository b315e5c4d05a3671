"""The recorder's driver-level statements, compiled for both supported dialects (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects.mysql import pymysql
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.dialects.sqlite import aiosqlite

from hotline.store.models import Call, CallEvent
from hotline.store.statements import KEY_PARAM, bind_processor, insert_rows, update_where_null

CALLS = Call.__table__
DIALECTS = {"sqlite": aiosqlite.dialect(), "postgresql": asyncpg.dialect()}
AT = datetime(2024, 5, 1, 16, 0, 0, 5, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize("name", DIALECTS)
def test_insert_names_only_the_given_columns_and_skips_existing_keys(name):
    dialect = DIALECTS[name]
    stmt = insert_rows(dialect, CALLS, ("uniqueid", "direction", "started_at"), skip_existing="uniqueid")
    assert stmt.sql.startswith("INSERT INTO calls (uniqueid, direction, started_at) VALUES (")
    assert stmt.sql.endswith("ON CONFLICT (uniqueid) DO NOTHING")
    assert "ivr_path" not in stmt.sql and "priority" not in stmt.sql  # server defaults apply
    plain = insert_rows(dialect, CALLS, ("uniqueid", "direction", "started_at"))
    assert "ON CONFLICT" not in plain.sql
    assert (
        insert_rows(dialect, CALLS, ("uniqueid", "direction", "started_at"), skip_existing="uniqueid") is stmt
    )


@pytest.mark.parametrize("name", DIALECTS)
def test_parameters_go_through_the_column_types(name):
    dialect = DIALECTS[name]
    stmt = insert_rows(dialect, CallEvent.__table__, ("call_uniqueid", "at", "kind", "data"))
    [params] = stmt.parameters([{"data": {"键": 1}, "kind": "menu", "at": AT, "call_uniqueid": "u.1"}])
    assert params[0] == "u.1" and params[2] == "menu" and params[3] == '{"\\u952e": 1}'
    if name == "sqlite":  # naive UTC text, as UTCDateTime stores it there
        assert params[1] == "2024-05-01 08:00:00.000005"
    else:
        assert params[1] == AT and params[1].utcoffset() == timedelta(0)


@pytest.mark.parametrize("name", DIALECTS)
def test_update_sets_the_columns_of_an_open_call(name):
    stmt = update_where_null(DIALECTS[name], CALLS, "uniqueid", "outcome", ("outcome", "talk_s"))
    assert stmt.sql.startswith("UPDATE calls SET outcome=")
    assert "WHERE calls.uniqueid = " in stmt.sql and stmt.sql.endswith("AND calls.outcome IS NULL")
    assert stmt.names == ("outcome", "talk_s", KEY_PARAM)
    assert stmt.parameters([{KEY_PARAM: "u.1", "talk_s": 3, "outcome": "ivr_only"}]) == [
        ("ivr_only", 3.0, "u.1")
    ]


def test_a_dialect_without_on_conflict_support_is_refused():
    with pytest.raises(ValueError, match="no INSERT ... ON CONFLICT"):
        insert_rows(pymysql.dialect(), CALLS, ("uniqueid",), skip_existing="uniqueid")


@given(st.one_of(st.datetimes(timezones=st.timezones()), st.none()))
def test_timestamps_become_the_text_sqlalchemy_would_store_on_sqlite(value):
    dialect = DIALECTS["sqlite"]
    kind = CallEvent.__table__.c.at.type
    sqlalchemy_process = kind.dialect_impl(dialect).bind_processor(dialect)
    try:
        expected = sqlalchemy_process(value)
    except OverflowError:  # the UTC instant is outside datetime's range: refused either way
        with pytest.raises(OverflowError, match="out of range"):
            bind_processor(kind, dialect)(value)
        return
    assert bind_processor(kind, dialect)(value) == expected


def test_naive_timestamps_are_still_refused_when_bound():
    assert bind_processor(CallEvent.__table__.c.at.type, DIALECTS["sqlite"]).__name__ == "utc_text"  # in use
    with pytest.raises(ValueError, match="timezone-aware"):
        bind_processor(CallEvent.__table__.c.at.type, DIALECTS["sqlite"])(datetime(2024, 5, 1))
